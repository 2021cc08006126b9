package snapshot

import (
	"context"
	"fmt"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// Filter is the filter of a snapshot taken before this process started,
// for the stream that follows it.
func (s *Snapshotter) Filter(ctx context.Context, st *State) (*SkipFilter, error) {
	if st.Blocking {
		// See State.Blocking: the blocking snapshot's own ranges filter
		// nothing; the initial snapshot's, if still filtering, go on.
		if st.InitialFilter == "" {
			return nil, nil
		}
		initial, err := DecodeState(st.InitialFilter)
		if err != nil {
			return nil, fault.Definite(err)
		}
		return s.Filter(ctx, initial)
	}
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
	conn, err := s.connect(ctx)
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
		g.key.names = st.Keys
		t, err := s.prepareTable(ctx, c.Table)
		if err != nil {
			return nil, err
		}
		if t != nil {
			// Streamed, so a guard over a whole table is never held whole.
			j := newChunkJob(t, c.Lo, c.Hi, false, false)
			go s.readChunk(ctx, conn, j)
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

// keyStringOf is a row's key over the columns key (the primary key, or an
// on-demand snapshot's surrogate key) as converted Connect values, the
// same for a streamed row and a selected one.
func keyStringOf(t *change.Table, key []int, row []any) (string, error) {
	var sb strings.Builder
	for n, k := range key {
		v := row[k]
		if c := t.Columns[k].KeyConversion(); c != nil { // unmasked: masked keys can collide
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
