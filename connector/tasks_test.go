package connector

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/offsets"
)

// plannerSource plans two tasks: the first carried over from what is
// stored, the second keeping its own, and retires every other key.
type plannerSource struct {
	fakeSource
	gotStored map[string][]byte
}

func (p *plannerSource) PlanTasks(_ context.Context, stored map[string][]byte) ([]PlannedTask, [][]byte, error) {
	p.gotStored = stored
	var retire [][]byte
	for k := range stored {
		if !strings.Contains(k, "keep") {
			retire = append(retire, []byte(k))
		}
	}
	return []PlannedTask{
		{ID: "a", Source: &fakeSource{}, OffsetKey: offsets.TaskKey("inv", "p", "a"), Carry: []byte(`{"carried":1}`)},
		{ID: "keep", Source: &fakeSource{}, OffsetKey: offsets.TaskKey("inv", "p", "keep")},
	}, retire, nil
}

// orderStore records the order of commits.
type orderStore struct {
	*offsets.FileStore
	commits []string
}

func (o *orderStore) Commit(ctx context.Context, key, value []byte) error {
	o.commits = append(o.commits, fmt.Sprintf("%s=%s", key, value))
	return o.FileStore.Commit(ctx, key, value)
}

func TestNewTasksPlans(t *testing.T) {
	planner := &plannerSource{}
	old := sources[config.VitessConnectorClass]
	sources[config.VitessConnectorClass] = func(*config.Connector, Env) (Source, error) { return planner, nil }
	t.Cleanup(func() { sources[config.VitessConnectorClass] = old })
	c, _, err := config.ParseConnector([]byte(`{"name":"inv","config":{"connector.class":"io.debezium.connector.vitess.VitessConnector",
		"database.hostname":"vtgate","vitess.keyspace":"ks","topic.prefix":"p"}}`), "inv.json")
	if err != nil {
		t.Fatal(err)
	}
	fs, err := offsets.NewFileStore(filepath.Join(t.TempDir(), "offsets.json"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	keep := offsets.TaskKey("inv", "p", "keep")
	for k, v := range map[string]string{string(offsets.Key("inv", "p")): `{"old":1}`, string(keep): `{"kept":1}`, string(offsets.Key("other", "p")): `{"other":1}`} {
		if err := fs.Commit(ctx, []byte(k), []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	st := &orderStore{FileStore: fs}
	tasks, err := NewTasks(ctx, c, Deps{Env: Env{Worker: &config.Worker{}, Logger: zap.NewNop()}, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if len(planner.gotStored) != 2 || planner.gotStored[string(keep)] == nil {
		t.Errorf("the planner saw %q, want the connector's two keys and not the other connector's", planner.gotStored)
	}
	if len(tasks) != 2 || tasks[0].Name != "inv task a" || string(tasks[0].OffsetKey) != string(offsets.TaskKey("inv", "p", "a")) ||
		string(tasks[0].Poller.OffsetKey) != string(tasks[0].OffsetKey) || string(tasks[1].OffsetKey) != string(keep) {
		t.Fatalf("tasks %v", tasks)
	}
	// The carried offset is stored before the old key is deleted: a crash
	// between the two leaves both, never neither.
	want := []string{`["inv",{"server":"p","task_key":"a"}]={"carried":1}`, `["inv",{"server":"p"}]=`}
	if strings.Join(st.commits, " ") != strings.Join(want, " ") {
		t.Errorf("commits %q, want %q", st.commits, want)
	}
	left, _ := fs.Scan(ctx, offsets.ConnectorKeyPrefix("inv"))
	if len(left) != 2 || string(left[string(keep)]) != `{"kept":1}` {
		t.Errorf("stored after planning: %q", left)
	}
}
