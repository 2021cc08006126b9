package kafkaacl

import (
	"errors"
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/sluice-cdc/sluice/internal/fault"
)

func TestExplain(t *testing.T) {
	refused := fmt.Errorf("committing offset: %w", kerr.TopicAuthorizationFailed)
	err := Explain(refused, Topic("_connect_offsets", "WRITE", "DESCRIBE"))
	want := "committing offset: TOPIC_AUTHORIZATION_FAILED: Not authorized to access topics: [Topic authorization failed.]; the broker's ACLs refuse this to the worker's Kafka principal (the user of its sasl.jaas.config, or its client certificate's subject): grant it WRITE and DESCRIBE on topic _connect_offsets"
	if err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
	if !fault.IsDefinite(err) || !errors.Is(err, kerr.TopicAuthorizationFailed) {
		t.Errorf("not definite, or the Kafka error lost: %v", err)
	}
	other := fmt.Errorf("x: %w", kerr.NotLeaderForPartition)
	if got := Explain(other, "anything"); got != other {
		t.Errorf("another error changed: %v", got)
	}
	if Explain(nil, "x") != nil {
		t.Error("nil changed")
	}
	if got := Topic("t", "READ", "WRITE", "DESCRIBE"); got != "READ, WRITE and DESCRIBE on topic t" {
		t.Errorf("Topic: %s", got)
	}
}
