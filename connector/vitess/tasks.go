package vitess

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// Debezium's properties for running a Vitess connector as several tasks.
const (
	propTasksMax     = "tasks.max"
	propPerTask      = "vitess.offset.storage.per.task"
	propTaskKeyGen   = "vitess.offset.storage.task.key.gen"
	propPrevNumTasks = "vitess.prev.num.tasks"
)

// TaskConfig is how the connector's shards are spread over tasks.
type TaskConfig struct {
	// Max is tasks.max; the connector runs min(Max, shards) tasks.
	Max int
	// PerTask is vitess.offset.storage.per.task: each task stores its
	// shards' VGTID under its own key, task<i>_<tasks>_<Gen>.
	PerTask bool
	// Gen is vitess.offset.storage.task.key.gen (Debezium requires it with
	// PerTask; Sluice takes 0 when it is absent, since it carries the
	// positions over without a new generation).
	Gen int
	// PrevNumTasks is vitess.prev.num.tasks: when stored offsets of two
	// layouts of the same generation name a shard, the one with this many
	// tasks is taken.
	PrevNumTasks int
}

func parseTasks(raw config.Properties) (TaskConfig, error) {
	tc := TaskConfig{Max: 1, Gen: -1, PrevNumTasks: -1}
	num := func(prop string, into *int, least int) error {
		v := strings.TrimSpace(raw[prop])
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < least {
			return fmt.Errorf("property %q: %q is not an integer of at least %d", prop, raw[prop], least)
		}
		*into = n
		return nil
	}
	if err := num(propTasksMax, &tc.Max, 1); err != nil {
		return tc, err
	}
	if err := num(propTaskKeyGen, &tc.Gen, -1); err != nil {
		return tc, err
	}
	if err := num(propPrevNumTasks, &tc.PrevNumTasks, -1); err != nil {
		return tc, err
	}
	switch v := strings.ToLower(strings.TrimSpace(raw[propPerTask])); v {
	case "", "false":
	case "true":
		tc.PerTask = true
	default:
		return tc, fmt.Errorf("property %q: %q is not true or false", propPerTask, raw[propPerTask])
	}
	if tc.Max > 1 && !tc.PerTask {
		// Debezium refuses too ("Only a single connector task may be
		// started"): one offset for several tasks could not say which
		// task's position it is.
		return tc, fmt.Errorf("property %q must be true when tasks.max is %d: each task stores its shards' positions under its own key; set it to true, or tasks.max to 1", propPerTask, tc.Max)
	}
	if tc.PerTask && tc.Gen < 0 {
		tc.Gen = 0
	}
	return tc, nil
}

// PlannedTask is one task of the connector: its shards, the key its
// offset is stored under and the offset to store there before it starts
// (nil: keep what is stored).
type PlannedTask struct {
	ID     string // task<i>_<n>_<gen>, or "" for the single-offset connector
	Shards []string
	Key    []byte
	Carry  []byte
	Source *Source
}

// taskKeyRE is Debezium's task key: task<id>_<numTasks>_<gen>.
var taskKeyRE = regexp.MustCompile(`^task(\d+)_(\d+)_(\d+)$`)

// storedLayout is one stored offset of this connector: its key, the
// layout that wrote it and its position.
type storedLayout struct {
	key      string
	tasks    int // 0: the single-offset key {"server": prefix}
	gen      int // -1 for the single-offset key
	pos      offsets.Vitess
	original []byte
}

// PlanTasks spreads the connector's shards over its tasks as Debezium's
// VitessConnector.taskConfigs does (shards sorted, dealt round robin, at
// most one task per shard), and carries every shard's position over from
// whatever layout stored it last: the same task count and generation
// (Debezium's current generation), or any other (a change of tasks.max or
// of the shards, Debezium's previous generation, the single-offset key).
// The newest generation's position of a shard wins. Keys of other layouts
// are returned to be retired once the new keys are stored, so that the
// next change finds one layout only.
//
// stored is every offset stored under the connector's name, by key. The
// planner dials VTGate only to list the keyspace's shards when
// vitess.shard is empty and offsets are stored per task.
func (s *Source) PlanTasks(ctx context.Context, stored map[string][]byte) (tasks []PlannedTask, retire [][]byte, err error) {
	cfg := s.cfg
	tc := cfg.Tasks
	layouts, err := s.storedLayouts(stored)
	if err != nil {
		return nil, nil, err
	}
	if !tc.PerTask {
		key := offsets.Key(cfg.Name, cfg.TopicPrefix)
		t := PlannedTask{Key: key, Source: s.taskSource(cfg.Shards, "")}
		if _, ok := stored[string(key)]; !ok && len(layouts) > 0 {
			pos, _, err := carry(layouts, cfg.Shards, tc, 0, -1)
			if err != nil {
				return nil, nil, err
			}
			if t.Carry, err = pos.OffsetValue(); err != nil {
				return nil, nil, err
			}
		}
		return []PlannedTask{t}, retired(layouts, [][]byte{key}), nil
	}

	shards := slices.Clone(cfg.Shards)
	if len(shards) == 0 {
		c, err := dial(&s.cfg)
		if err != nil {
			return nil, nil, err
		}
		defer c.conn.Close()
		if shards, err = c.shards(ctx); err != nil {
			return nil, nil, fmt.Errorf("listing the shards of keyspace %s to spread them over tasks: %w", cfg.Keyspace, err)
		}
	}
	// Stored shards the keyspace no longer has (a reshard while stopped)
	// are read from where they were, as Debezium does: their streams reach
	// the reshard's journal.
	storedShards := map[string]bool{}
	for _, l := range layouts {
		for _, sg := range l.pos.Shards {
			storedShards[sg.Shard] = true
		}
	}
	for sh := range storedShards {
		if !slices.Contains(shards, sh) {
			shards = slices.Sorted(maps.Keys(storedShards))
			s.cfg.Logger.Warn("the stored offsets name shards the keyspace no longer has; reading the stored shards",
				zap.Strings("stored", shards), zap.String("keyspace", cfg.Keyspace))
			break
		}
	}
	sort.Strings(shards)
	n := min(tc.Max, len(shards))
	assigned := make([][]string, n)
	for i, sh := range shards {
		assigned[i%n] = append(assigned[i%n], sh)
	}
	var keep [][]byte
	for i, sh := range assigned {
		id := fmt.Sprintf("task%d_%d_%d", i, n, tc.Gen)
		t := PlannedTask{ID: id, Shards: sh, Key: offsets.TaskKey(cfg.Name, cfg.TopicPrefix, id), Source: s.taskSource(sh, id)}
		keep = append(keep, t.Key)
		pos, found, err := carry(layouts, sh, tc, n, tc.Gen)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case found == 0:
		case found < len(sh):
			var missing []string
			for _, x := range sh {
				if !slices.ContainsFunc(pos.Shards, func(g offsets.ShardGTID) bool { return g.Shard == x }) {
					missing = append(missing, x)
				}
			}
			return nil, nil, fault.Definite(fmt.Errorf("task %s reads shards %v of keyspace %s, but no stored offset of connector %s has a position for %v while the others have one; "+
				"to copy those shards again, delete the connector's offsets (all of them) and start over, or set vitess.shard to the shards that have positions", id, sh, cfg.Keyspace, cfg.Name, missing))
		default:
			v, err := pos.OffsetValue()
			if err != nil {
				return nil, nil, err
			}
			if string(v) != string(stored[string(t.Key)]) {
				t.Carry = v
			}
		}
		tasks = append(tasks, t)
	}
	return tasks, retired(layouts, keep), nil
}

// taskSource is a source for some of the connector's shards (nil: all).
func (s *Source) taskSource(shards []string, id string) *Source {
	cfg := s.cfg
	cfg.Shards = shards
	build := s.build
	if id != "" && cfg.Logger != nil {
		// Several tasks read the keyspace: each line says whose it is.
		cfg.Logger = cfg.Logger.With(zap.String("task", id))
		build.Log = cfg.Logger
	}
	if cfg.StartVGTID != nil && shards != nil {
		// vitess.vgtid names every shard; a task starts its own from it.
		var p offsets.Vitess
		for _, sg := range cfg.StartVGTID.Shards {
			if slices.Contains(shards, sg.Shard) {
				p.Shards = append(p.Shards, sg)
			}
		}
		cfg.StartVGTID = &p
	}
	return &Source{cfg: cfg, build: build}
}

// storedLayouts decodes this connector's stored offsets; keys of another
// topic.prefix (another server) are not its own.
func (s *Source) storedLayouts(stored map[string][]byte) ([]storedLayout, error) {
	var out []storedLayout
	for _, k := range slices.Sorted(maps.Keys(stored)) {
		conn, part, err := offsets.KeyPartition([]byte(k))
		if err != nil || conn != s.cfg.Name || part["server"] != s.cfg.TopicPrefix {
			continue
		}
		l := storedLayout{key: k, gen: -1, original: stored[k]}
		if tk, ok := part["task_key"]; ok {
			m := taskKeyRE.FindStringSubmatch(tk)
			if m == nil {
				return nil, fault.Definite(fmt.Errorf("stored offset key %s: task_key %q is not task<id>_<tasks>_<gen>; delete it from the offsets topic", k, tk))
			}
			l.tasks, _ = strconv.Atoi(m[2])
			l.gen, _ = strconv.Atoi(m[3])
		}
		pos, err := offsets.ParseVitess(stored[k])
		if err != nil {
			return nil, fault.Definite(fmt.Errorf("stored offset %s under %s cannot be used: %w; delete it from the offsets topic to start over", stored[k], k, err))
		}
		for _, sg := range pos.Shards {
			if sg.Keyspace != s.cfg.Keyspace {
				return nil, fault.Definite(fmt.Errorf("stored offset under %s is for keyspace %q, vitess.keyspace is %q; use another connector name, or delete the offset", k, sg.Keyspace, s.cfg.Keyspace))
			}
		}
		l.pos = pos
		out = append(out, l)
	}
	return out, nil
}

// carry gathers the stored positions of shards (nil: every stored shard)
// into one VGTID, each shard's from its best layout: the newest
// generation, then the layout being planned (tasks, gen), then
// vitess.prev.num.tasks. found counts the shards that had one.
func carry(layouts []storedLayout, shards []string, tc TaskConfig, tasks, gen int) (pos offsets.Vitess, found int, err error) {
	rank := func(l storedLayout) [3]int {
		cur, prev := 0, 0
		if l.tasks == tasks && l.gen == gen {
			cur = 1
		}
		if l.tasks == tc.PrevNumTasks {
			prev = 1
		}
		return [3]int{l.gen, cur, prev}
	}
	best := map[string]storedLayout{}
	for _, l := range layouts {
		for _, sg := range l.pos.Shards {
			if shards != nil && !slices.Contains(shards, sg.Shard) {
				continue
			}
			b, ok := best[sg.Shard]
			if !ok {
				best[sg.Shard] = l
				continue
			}
			switch rb, rl := rank(b), rank(l); {
			case rl == rb && !sameShard(b.pos, l.pos, sg.Shard):
				return pos, 0, fault.Definite(fmt.Errorf("shard %s has different stored positions under %s and %s and nothing says which is newer; "+
					"set vitess.prev.num.tasks to the task count of the one to go on from, or delete the stale key from the offsets topic", sg.Shard, b.key, l.key))
			case slices.Compare(rl[:], rb[:]) > 0:
				best[sg.Shard] = l
			}
		}
	}
	order := shards
	if order == nil {
		order = slices.Sorted(maps.Keys(best))
	}
	for _, sh := range order {
		l, ok := best[sh]
		if !ok {
			continue
		}
		found++
		for _, sg := range l.pos.Shards {
			if sg.Shard == sh {
				pos.Shards = append(pos.Shards, sg)
			}
		}
		for _, g := range l.pos.Guards {
			if g.Shard.Shard == sh {
				pos.Guards = append(pos.Guards, g)
			}
		}
	}
	return pos, found, nil
}

func sameShard(a, b offsets.Vitess, shard string) bool {
	pick := func(v offsets.Vitess) string {
		var one offsets.Vitess
		for _, sg := range v.Shards {
			if sg.Shard == shard {
				one.Shards = append(one.Shards, sg)
			}
		}
		for _, g := range v.Guards {
			if g.Shard.Shard == shard {
				one.Guards = append(one.Guards, g)
			}
		}
		b, _ := one.OffsetValue()
		return string(b)
	}
	return pick(a) == pick(b)
}

// retired lists the stored keys the plan does not keep.
func retired(layouts []storedLayout, keep [][]byte) [][]byte {
	var out [][]byte
	for _, l := range layouts {
		if !slices.ContainsFunc(keep, func(k []byte) bool { return string(k) == l.key }) {
			out = append(out, []byte(l.key))
		}
	}
	return out
}
