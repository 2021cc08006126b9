// Package kafkaacl turns a broker's refusal under its ACLs into an error
// that names the grant that lets Sluice through. Kafka answers an operation
// the principal may not do with one of its *_AUTHORIZATION_FAILED codes;
// retrying cannot help until an operator grants it (Kafka Connect fails the
// task), so the error becomes definite: a connector that retried it would
// sit silent, or log the same warning, for as long as nobody looks.
package kafkaacl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/sluice-cdc/sluice/internal/fault"
)

// Refused reports whether err is one of Kafka's authorization failures.
func Refused(err error) bool {
	return errors.Is(err, kerr.TopicAuthorizationFailed) || errors.Is(err, kerr.GroupAuthorizationFailed) ||
		errors.Is(err, kerr.ClusterAuthorizationFailed) || errors.Is(err, kerr.TransactionalIDAuthorizationFailed)
}

// Explain returns err unchanged unless the broker's ACLs refused it, and
// then as a definite error that names grant (see Topic).
func Explain(err error, grant string) error {
	if err == nil || !Refused(err) {
		return err
	}
	return fault.Definite(fmt.Errorf("%w; the broker's ACLs refuse this to the worker's Kafka principal (the user of its sasl.jaas.config, or its client certificate's subject): grant it %s", err, grant))
}

// Topic is the grant of ops (READ, WRITE, ...) on topic, as kafka-acls.sh
// names them.
func Topic(topic string, ops ...string) string {
	return joinOps(ops) + " on topic " + topic
}

func joinOps(ops []string) string {
	if len(ops) < 2 {
		return strings.Join(ops, "")
	}
	return strings.Join(ops[:len(ops)-1], ", ") + " and " + ops[len(ops)-1]
}
