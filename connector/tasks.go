package connector

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// TaskPlanner is implemented by sources that can run a connector as several
// tasks (tasks.max), each reading its part of the source and storing its
// offset under its own key, and that carry the stored positions over when
// the parts change.
type TaskPlanner interface {
	// PlanTasks divides the connector's work among tasks. stored holds
	// every offset stored under the connector's name, by key. Each planned
	// task names the key its offset lives under and, in Carry, the offset
	// to store there before it starts (positions taken over from other
	// keys; nil: keep what is stored). retire lists the stored keys no
	// task keeps; they are deleted once every Carry is stored.
	PlanTasks(ctx context.Context, stored map[string][]byte) (tasks []PlannedTask, retire [][]byte, err error)
}

// PlannedTask is one task of a planned connector.
type PlannedTask struct {
	ID        string // names the task in logs and errors; "" for a connector of one task
	Source    Source
	OffsetKey []byte
	Carry     []byte
}

// NewTasks wires a connector's tasks. A source that plans its tasks
// (TaskPlanner) is asked for them with the connector's stored offsets; the
// carried-over offsets are stored and the keys of the old layout deleted
// before any task starts, so that a task never starts from a position
// another task also holds. Other sources run as one task.
func NewTasks(ctx context.Context, c *config.Connector, d Deps) ([]*Task, error) {
	src, err := NewSource(c, d.Env)
	if err != nil {
		return nil, err
	}
	tp, ok := src.(TaskPlanner)
	if !ok {
		t, err := newTask(c, d, src, offsets.Key(c.Name, c.TopicPrefix), "")
		if err != nil {
			return nil, err
		}
		return []*Task{t}, nil
	}
	defer src.Close()
	sc, ok := d.Store.(offsets.Scanner)
	if !ok {
		return nil, fmt.Errorf("connector %s: the offset store %T cannot list stored offsets, which planning the tasks needs", c.Name, d.Store)
	}
	log := d.Logger.With(zap.String("connector", c.Name))
	var (
		stored  map[string][]byte
		planned []PlannedTask
		retire  [][]byte
	)
	// A server that does not answer yet (VTGate listing the shards) is
	// waited for until ctx ends, as a running task would retry.
	for backoff := time.Second; ; backoff = min(2*backoff, 15*time.Second) {
		stored, err = sc.Scan(ctx, offsets.ConnectorKeyPrefix(c.Name))
		if err != nil {
			err = fmt.Errorf("connector %s: reading its stored offsets to plan its tasks: %w", c.Name, err)
		} else if planned, retire, err = tp.PlanTasks(ctx, stored); err != nil {
			err = fmt.Errorf("connector %s: planning its tasks: %w", c.Name, err)
		}
		if err == nil {
			break
		}
		if fault.IsDefinite(err) {
			return nil, err
		}
		log.Warn("planning the tasks failed; retrying", zap.Error(err), zap.Duration("backoff", backoff))
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(backoff):
		}
	}
	var tasks []*Task
	for _, p := range planned {
		t, err := newTask(c, d, p.Source, p.OffsetKey, p.ID)
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, t)
	}
	for _, p := range planned {
		if p.Carry == nil {
			continue
		}
		log.Info("storing the positions carried over to a task", zap.String("task", p.ID),
			zap.ByteString("key", p.OffsetKey), zap.ByteString("offset", p.Carry))
		if err := d.Store.Commit(ctx, p.OffsetKey, p.Carry); err != nil {
			return nil, fmt.Errorf("connector %s: storing the offset carried over to task %s: %w", c.Name, p.ID, err)
		}
	}
	for _, k := range retire {
		log.Info("deleting the offset of the previous task layout", zap.ByteString("key", k))
		if err := d.Store.Commit(ctx, k, nil); err != nil {
			return nil, fmt.Errorf("connector %s: deleting the offset %s of the previous task layout: %w", c.Name, k, err)
		}
	}
	return tasks, nil
}

// validateTasks checks the offset each planned task would start from.
func validateTasks(ctx context.Context, c *config.Connector, tp TaskPlanner, scan func(context.Context, []byte) (map[string][]byte, error)) ([]config.Problem, error) {
	stored, err := scan(ctx, offsets.ConnectorKeyPrefix(c.Name))
	if err != nil {
		return nil, fmt.Errorf("reading the stored offsets of connector %q: %w", c.Name, err)
	}
	planned, _, err := tp.PlanTasks(ctx, stored)
	if err != nil {
		return nil, fmt.Errorf("connector %s: planning its tasks from the stored offsets: %w", c.Name, err)
	}
	var probs []config.Problem
	for _, p := range planned {
		ov, ok := p.Source.(OffsetValidator)
		if !ok {
			continue
		}
		offset := p.Carry
		if offset == nil {
			offset = stored[string(p.OffsetKey)]
		}
		more, err := ov.ValidateOffset(ctx, offset)
		for i := range more {
			if p.ID != "" {
				more[i].Msg = "task " + p.ID + ": " + more[i].Msg
			}
		}
		probs = append(probs, more...)
		if err != nil {
			return probs, err
		}
	}
	return probs, nil
}
