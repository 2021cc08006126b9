package snapshot

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/connector/notify"
)

// notes lists the notifications in batch as "id type data" lines (a
// random id as "uuid").
func notes(batch []change.Event) []string {
	var out []string
	for _, ev := range batch {
		if ev.Kind != change.KindRecord || ev.Record.Topic != "notes" {
			continue
		}
		v := ev.Record.Value.(*change.Value).Values
		id := v[0].(string)
		if len(id) == 36 {
			id = "uuid"
		}
		out = append(out, fmt.Sprintf("%s %s %s %v", id, v[1], v[2], v[3]))
	}
	return out
}

// Pause, resume and stop signals report as Debezium's do (captured from
// 3.5.0.Final): under the snapshot's signal id, and a stop as the
// snapshot's end, then an abort under an id of its own.
func TestIncrementalNotifications(t *testing.T) {
	i, _ := newTestIncremental(t, 0)
	var err error
	if i.srv.Notify, err = notify.ParseConfig(map[string]string{"notification.enabled.channels": "sink", "notification.sink.topic.name": "notes"}, "p"); err != nil {
		t.Fatal(err)
	}
	if err := i.Restore(`{"id":"big-1","tables":["app.a","app.b"],"paused":false}`); err != nil {
		t.Fatal(err)
	}
	step := func(id, typ, data string, want ...string) {
		t.Helper()
		i.Signal(id, typ, data)
		batch, _ := i.AtCommit(context.Background(), nil, server.StreamAt{}) // the next chunk fails: no server
		if got := notes(batch); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: notifications\n %q, want\n %q", typ, got, want)
		}
	}
	step("s-pause", "pause-snapshot", "",
		"big-1 PAUSED Incremental Snapshot [{connector_name p} {data_collections app.a,app.b}]")
	step("s-resume", "resume-snapshot", "",
		"big-1 RESUMED Incremental Snapshot [{connector_name p} {data_collections app.a,app.b}]")
	step("s-stop-b", "stop-snapshot", `{"data-collections": ["app.b"], "type": "incremental"}`,
		"uuid ABORTED Incremental Snapshot [{connector_name p} {data_collections app.b}]")
	step("s-stop", "stop-snapshot", `{"type": "incremental"}`,
		"big-1 COMPLETED Incremental Snapshot [{connector_name p}]",
		"uuid ABORTED Incremental Snapshot [{connector_name p} {data_collections app.a}]")
	if p := i.Progress(); p != "" {
		t.Errorf("progress after the stop: %s", p)
	}
}
