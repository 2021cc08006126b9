package snapshot

import (
	"context"
	"fmt"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// Run reads the snapshot's rows (resumed: st is a snapshot a crash
// interrupted, read again after its last finished chunk) and returns the
// filter that keeps the stream from repeating what the snapshot's chunks
// already hold, and the position the stream continues from.
func (s *Snapshotter) Run(ctx context.Context, st *State, resumed bool, out change.Enqueuer) (*SkipFilter, offsets.MySQL, error) {
	var guards []*guard
	if resumed {
		var err error
		if guards, err = s.loadGuards(ctx, st); err != nil {
			return nil, offsets.MySQL{}, err
		}
		if st.InFlight != nil {
			// The range a crash interrupted is read again now; its keys
			// are collected as it is.
			g, err := newGuard(s.cfg.Proto(), *st.InFlight)
			if err != nil {
				return nil, offsets.MySQL{}, fault.Definite(err)
			}
			s.guard = g
			guards = append(guards, g)
			st.Guards = append(st.Guards, *st.InFlight)
			st.InFlight = nil
		}
	}
	if err := s.read(ctx, st, out); err != nil {
		return nil, offsets.MySQL{}, err
	}
	filter, err := newSkipFilter(s.cfg.Proto(), st)
	if err != nil {
		return nil, offsets.MySQL{}, fault.Definite(err)
	}
	filter.guards = guards
	return filter, offsets.MySQL{File: st.Start.File, Pos: st.Start.Pos, GTIDs: st.Start.GTIDs, SluiceSnapshot: st.encode()}, nil
}

// Filter is the filter of a snapshot taken before this process started,
// for the stream that follows it.
func (s *Snapshotter) Filter(ctx context.Context, st *State) (*SkipFilter, error) {
	filter, err := newSkipFilter(s.cfg.Proto(), st)
	if err != nil {
		return nil, fault.Definite(err)
	}
	if filter.guards, err = s.loadGuards(ctx, st); err != nil {
		return nil, err
	}
	return filter, nil
}

// loadGuards reads, now, the keys each guarded range has (see
// State.Guards). Keys read later than the range's snapshot are as good:
// a key that came back since is re-created by a streamed change after it.
func (s *Snapshotter) loadGuards(ctx context.Context, st *State) ([]*guard, error) {
	if len(st.Guards) == 0 {
		return nil, nil
	}
	snap := s
	conn, err := snap.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var out []*guard
	for _, c := range st.Guards {
		g, err := newGuard(s.cfg.Proto(), c)
		if err != nil {
			return nil, fault.Definite(err)
		}
		t, err := snap.prepareTable(ctx, c.Table)
		if err != nil {
			return nil, err
		}
		if t != nil {
			// Streamed, so a guard over a whole table is never held whole.
			j := &chunkJob{t: t, lo: c.Lo, hi: c.Hi, done: make(chan chunkResult, 1), stream: make(chan [][]any, 2)}
			go snap.readChunk(ctx, conn, j)
			if res := <-j.done; res.err != nil {
				return nil, res.err
			}
			for b := range j.stream {
				g.collect(t, b)
			}
			if j.streamErr != nil {
				return nil, j.streamErr
			}
		}
		out = append(out, g)
	}
	return out, nil
}

// keyString is a row's primary key as converted Connect values, the same
// for a streamed row and a selected one.
func keyString(t *change.Table, row []any) (string, error) {
	var sb strings.Builder
	for n, k := range t.Key {
		v := row[k]
		if c := t.Columns[k].Convert; c != nil {
			cv, err := c(v)
			if err != nil {
				return "", err
			}
			v = cv
		}
		if n > 0 {
			sb.WriteByte(0)
		}
		if b, ok := v.([]byte); ok {
			sb.Write(b)
		} else {
			fmt.Fprint(&sb, v)
		}
	}
	return sb.String(), nil
}
