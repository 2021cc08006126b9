package mysql

import (
	"errors"
	"net"
	"syscall"

	"github.com/sluice-cdc/sluice/internal/fault"
)

// definiteUnlessNetwork marks err definite unless the network failed
// (a lost connection or a deadline passed): those are retried.
func definiteUnlessNetwork(err error) error {
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) {
		return err
	}
	return fault.Definite(err)
}
