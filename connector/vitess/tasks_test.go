package vitess

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/offsets"
)

// debeziumOffsets reads what Kafka Connect stored for Debezium's Vitess
// connector dbzt2 with tasks.max=2 (gen 0) and then tasks.max=3 (gen 1),
// in offsets/testdata/vitess-per-task.golden.
func debeziumOffsets(t *testing.T, gens ...string) map[string][]byte {
	t.Helper()
	b, err := os.ReadFile("../../offsets/testdata/vitess-per-task.golden")
	if err != nil {
		t.Fatal(err)
	}
	lines := slices.DeleteFunc(strings.Split(string(b), "\n"), func(l string) bool { return l == "" || strings.HasPrefix(l, "#") })
	out := map[string][]byte{}
	for i := 0; i+1 < len(lines); i += 2 {
		for _, g := range gens {
			if strings.Contains(lines[i], g+`"}]`) {
				out[lines[i]] = []byte(lines[i+1])
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no golden offsets of generations %v", gens)
	}
	return out
}

func planSource(t *testing.T, props map[string]string) *Source {
	t.Helper()
	raw := config.Properties{propKeyspace: "tasks_keyspace", propShard: "-40,40-80,80-c0,c0-"}
	for k, v := range props {
		raw[k] = v
	}
	s, err := New(&config.Connector{Name: "dbzt2", TopicPrefix: "dbzt2", Flavor: config.FlavorVitess, SnapshotMode: config.SnapshotInitial, Raw: raw}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// gtids lists a task's carried (or else stored) offset as shard=gtid.
func gtids(t *testing.T, value []byte) string {
	t.Helper()
	p, err := offsets.ParseVitess(value)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, sg := range p.Shards {
		out = append(out, sg.Shard+"="+strings.TrimPrefix(sg.GTID, "MariaDB/0-1924876405-"))
	}
	return strings.Join(out, " ")
}

func TestPlanTasks(t *testing.T) {
	perTask := func(max, gen string) map[string]string {
		m := map[string]string{propTasksMax: max, propPerTask: "true"}
		if gen != "" {
			m[propTaskKeyGen] = gen
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		props  map[string]string
		stored map[string][]byte
		want   []string // per task: id, shards and the offset it starts from ("-": none; "=" prefix: the one stored, unchanged)
		retire []string // task keys, or "server"
	}{
		{
			name: "Debezium's own layout is taken as it is", props: perTask("2", "0"), stored: debeziumOffsets(t, "_2_0"),
			want: []string{"task0_2_0 [-40 80-c0] =-40=88 80-c0=87", "task1_2_0 [40-80 c0-] =40-80=88 c0-=86"},
		},
		{
			name: "two tasks to three: each shard's position carried over, no new generation", props: perTask("3", ""), stored: debeziumOffsets(t, "_2_0"),
			want:   []string{"task0_3_0 [-40 c0-] -40=88 c0-=86", "task1_3_0 [40-80] 40-80=88", "task2_3_0 [80-c0] 80-c0=87"},
			retire: []string{"task0_2_0", "task1_2_0"},
		},
		{
			name: "Debezium's two generations: the newer one wins", props: perTask("2", "1"), stored: debeziumOffsets(t, "_2_0", "_3_1"),
			want:   []string{"task0_2_1 [-40 80-c0] -40=94 80-c0=92", "task1_2_1 [40-80 c0-] 40-80=93 c0-=95"},
			retire: []string{"task0_2_0", "task0_3_1", "task1_2_0", "task1_3_1", "task2_3_1"},
		},
		{
			name: "per-task offsets back to one task and one offset", props: map[string]string{}, stored: debeziumOffsets(t, "_3_1"),
			want:   []string{" [-40 40-80 80-c0 c0-] -40=94 40-80=93 80-c0=92 c0-=95"},
			retire: []string{"task0_3_1", "task1_3_1", "task2_3_1"},
		},
		{
			name: "one offset to four tasks", props: perTask("8", ""),
			stored: map[string][]byte{string(offsets.Key("dbzt2", "dbzt2")): debeziumOffsets(t, "_2_0")[string(offsets.TaskKey("dbzt2", "dbzt2", "task0_2_0"))]},
			want:   []string{"task0_4_0 [-40] -40=88", "task1_4_0 [40-80] -", "task2_4_0 [80-c0] 80-c0=87", "task3_4_0 [c0-] -"},
			retire: []string{"server"},
		},
		{
			name: "nothing stored", props: perTask("3", "0"), stored: map[string][]byte{
				// another connector's, and another server's
				string(offsets.TaskKey("dbzt22", "dbzt2", "task0_1_0")): []byte(`{"vgtid":"[]"}`),
				string(offsets.TaskKey("dbzt2", "other", "task0_1_0")):  []byte(`{"vgtid":"[]"}`),
			},
			want: []string{"task0_3_0 [-40 c0-] -", "task1_3_0 [40-80] -", "task2_3_0 [80-c0] -"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := planSource(t, tc.props)
			planned, retire, err := s.PlanTasks(context.Background(), tc.stored)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range planned {
				line := fmt.Sprintf("%s %v ", p.ID, p.Source.cfg.Shards)
				if p.ID != "" && string(p.Key) != string(offsets.TaskKey("dbzt2", "dbzt2", p.ID)) || p.ID == "" && string(p.Key) != string(offsets.Key("dbzt2", "dbzt2")) {
					t.Errorf("task %s: key %s", p.ID, p.Key)
				}
				switch {
				case p.Carry != nil:
					line += gtids(t, p.Carry)
				case tc.stored[string(p.Key)] != nil:
					line += "=" + gtids(t, tc.stored[string(p.Key)])
				default:
					line += "-"
				}
				got = append(got, line)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("tasks\n got %q\nwant %q", got, tc.want)
			}
			var gotRetire []string
			for _, k := range retire {
				_, part, _ := offsets.KeyPartition(k)
				if tk := part["task_key"]; tk != "" {
					gotRetire = append(gotRetire, tk)
				} else {
					gotRetire = append(gotRetire, "server")
				}
			}
			slices.Sort(gotRetire)
			if !slices.Equal(gotRetire, tc.retire) {
				t.Errorf("retired %q, want %q", gotRetire, tc.retire)
			}
		})
	}
}

func TestPlanTasksRefusals(t *testing.T) {
	gen0 := debeziumOffsets(t, "_2_0")
	// The same generation with another task count and other positions:
	// nothing says which is newer.
	clash := map[string][]byte{}
	for k, v := range gen0 {
		clash[k] = v
	}
	clash[string(offsets.TaskKey("dbzt2", "dbzt2", "task0_1_0"))] = []byte(strings.ReplaceAll(string(gen0[string(offsets.TaskKey("dbzt2", "dbzt2", "task0_2_0"))]), "-88", "-99"))
	for _, tc := range []struct {
		name   string
		props  map[string]string
		stored map[string][]byte
		want   string
	}{
		{"same generation, two positions", map[string]string{propTasksMax: "3", propPerTask: "true"}, clash, "vitess.prev.num.tasks"},
		{"some of a task's shards without a position", map[string]string{propTasksMax: "2", propPerTask: "true"},
			map[string][]byte{string(offsets.TaskKey("dbzt2", "dbzt2", "task0_1_0")): []byte(`{"vgtid":"[{\"keyspace\":\"tasks_keyspace\",\"shard\":\"-40\",\"gtid\":\"MariaDB/0-1-5\",\"table_p_ks\":[]}]"}`)},
			"no stored offset of connector dbzt2 has a position for [80-c0]"},
		{"another keyspace's offset", map[string]string{},
			map[string][]byte{string(offsets.TaskKey("dbzt2", "dbzt2", "task0_1_0")): []byte(`{"vgtid":"[{\"keyspace\":\"ks\",\"shard\":\"-40\",\"gtid\":\"MariaDB/0-1-5\",\"table_p_ks\":[]}]"}`)},
			`is for keyspace "ks"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := planSource(t, tc.props).PlanTasks(context.Background(), tc.stored)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
	// With vitess.prev.num.tasks the clash is settled.
	planned, _, err := planSource(t, map[string]string{propTasksMax: "3", propPerTask: "true", propPrevNumTasks: "1"}).PlanTasks(context.Background(), clash)
	if err != nil {
		t.Fatal(err)
	}
	if got := gtids(t, planned[0].Carry); got != "-40=99 c0-=86" {
		t.Errorf("with vitess.prev.num.tasks=1 task0 starts from %s, want -40=99 (task0_1_0's) c0-=86", got)
	}
}

func TestTaskConfigRefusals(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{propTasksMax: "2"}, `"vitess.offset.storage.per.task" must be true when tasks.max is 2`},
		{map[string]string{propTasksMax: "0"}, `"tasks.max"`},
		{map[string]string{propPerTask: "yes"}, `"vitess.offset.storage.per.task"`},
		{map[string]string{propTaskKeyGen: "x"}, `"vitess.offset.storage.task.key.gen"`},
	} {
		raw := config.Properties{propKeyspace: "ks"}
		for k, v := range tc.props {
			raw[k] = v
		}
		_, err := ParseConfig(&config.Connector{Flavor: config.FlavorVitess, SnapshotMode: config.SnapshotInitial, Raw: raw})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error with %s", tc.props, err, tc.want)
		}
	}
}
