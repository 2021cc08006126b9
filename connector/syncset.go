package connector

import "sync"

type syncSet struct {
	mu sync.RWMutex
	m  map[string]struct{}
}

func newSyncSet() syncSet { return syncSet{m: map[string]struct{}{}} }

func (s *syncSet) has(k string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.m[k]
	return ok
}

func (s *syncSet) add(k string) {
	s.mu.Lock()
	s.m[k] = struct{}{}
	s.mu.Unlock()
}
