// Package fault is Sluice's one error vocabulary, shared by sources,
// converters, stores and the coordinator.
//
// An error is either definite or transient. A definite error says that
// retrying would fail the same way: the task stops, and the message names
// the cause and the fix. Any other error is transient: the coordinator
// retries the part that failed, with a backoff that resets once it makes
// progress, and logs every retry.
//
// The package is a leaf: it imports nothing of Sluice's, so every layer can
// classify its errors without depending on the layer that acts on them.
package fault

import (
	"errors"
	"fmt"
)

// definite marks an error retrying cannot fix.
type definite struct{ err error }

func (e *definite) Error() string { return e.err.Error() }
func (e *definite) Unwrap() error { return e.err }

// Definite marks err as one retrying cannot fix. Its message should name the
// thing that is wrong and the fix. Definite(nil) is nil.
func Definite(err error) error {
	if err == nil || IsDefinite(err) {
		return err
	}
	return &definite{err}
}

// IsDefinite reports whether err, or an error it wraps, was marked definite.
func IsDefinite(err error) bool {
	var d *definite
	return errors.As(err, &d)
}

// ErrPositionUnavailable says that the source no longer has the changes
// after a stored position (purged binlogs, a VGTID older than the shards'
// retention). Sources wrap it in a definite error; snapshot.mode=when_needed
// answers it with a new snapshot, every other mode stops with the message.
var ErrPositionUnavailable = errors.New("the stored position is no longer available at the source")

// RetriesUsedUp is a transient error that errors.max.retries does not
// allow to be retried again: the failures-th in a row, with maxRetries
// retries allowed. It is definite, and says what to do.
func RetriesUsedUp(err error, failures, maxRetries int) error {
	return Definite(fmt.Errorf("%w; failed %d times in a row, and errors.max.retries is %d: fix the cause and restart the task (POST /connectors/NAME/restart?includeTasks=true&onlyFailed=true, or restart sluice), or raise errors.max.retries (-1: no limit)",
		err, failures, maxRetries))
}
