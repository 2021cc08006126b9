package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"time"

	"github.com/sluice-cdc/sluice/connector"
)

// The stop and offset paths of KIP-875: a connector is stopped (its tasks
// drain, store their offsets and wait), its offsets are then changed or
// deleted in the offsets topic, and the resume reads them.

// stop pauses the connector's tasks and answers once each has stored its
// offset and stopped reading (or after 30 s): a PATCH right after it then
// cannot be overwritten by a task's last commit.
func (s *Server) stop(w http.ResponseWriter, r *http.Request, c *Connector) {
	s.mu.Lock()
	s.stopped[c.Name] = true
	s.mu.Unlock()
	for _, t := range c.Tasks {
		t.Pause()
	}
	deadline := time.Now().Add(30 * time.Second)
	for !settled(c) && time.Now().Before(deadline) && r.Context().Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	w.WriteHeader(http.StatusNoContent)
}

// settled reports whether no task of c is running.
func settled(c *Connector) bool {
	for _, t := range c.Tasks {
		if t.State() == connector.StateRunning {
			return false
		}
	}
	return true
}

// isStopped reports whether c was stopped and every task has settled.
func (s *Server) isStopped(c *Connector) bool {
	s.mu.Lock()
	stopped := s.stopped[c.Name]
	s.mu.Unlock()
	return stopped && settled(c)
}

// mustBeStopped answers Kafka Connect's 400 unless c is stopped.
func (s *Server) mustBeStopped(w http.ResponseWriter, c *Connector) bool {
	if s.isStopped(c) {
		return true
	}
	writeError(w, http.StatusBadRequest, fmt.Sprintf("Connectors must be in the STOPPED state before their offsets can be modified. "+
		"This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/%s/stop' endpoint", c.Name))
	return false
}

type offsetEntry struct {
	Partition json.RawMessage `json:"partition"`
	Offset    json.RawMessage `json:"offset"`
}

// alterOffsets is PATCH /connectors/NAME/offsets: each entry's partition
// must be one of the connector's tasks' (as GET .../offsets shows them),
// its offset one the source can resume from, or null to delete it.
func (s *Server) alterOffsets(w http.ResponseWriter, r *http.Request, c *Connector) {
	if !s.mustBeStopped(w, c) {
		return
	}
	var body struct {
		Offsets []offsetEntry `json:"offsets"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || body.Offsets == nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf(`the body must be {"offsets": [{"partition": {...}, "offset": {...}}]} (%v)`, err))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	type change struct {
		t     Task
		value []byte
	}
	var changes []change
	for _, e := range body.Offsets {
		t, err := taskOf(c, e.Partition)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		var value []byte
		if len(e.Offset) > 0 && string(e.Offset) != "null" {
			value = e.Offset
		}
		changes = append(changes, change{t, value})
	}
	for _, ch := range changes {
		if err := ch.t.StoreOffset(ctx, ch.value); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "The offsets for this connector have been altered successfully"})
}

// resetOffsets is DELETE /connectors/NAME/offsets: every task's offset is
// deleted, so that the resume starts as a first start does.
func (s *Server) resetOffsets(w http.ResponseWriter, r *http.Request, c *Connector) {
	if !s.mustBeStopped(w, c) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	for _, t := range c.Tasks {
		if err := t.StoreOffset(ctx, nil); err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "The offsets for this connector have been reset successfully"})
}

// taskOf finds the task whose offset key holds partition.
func taskOf(c *Connector, partition json.RawMessage) (Task, error) {
	var want map[string]any
	if err := json.Unmarshal(partition, &want); err != nil || want == nil {
		return nil, fmt.Errorf("the partition %s is not a JSON object", partition)
	}
	var have []string
	for _, t := range c.Tasks {
		p, err := partitionOf(t.Key())
		if err != nil {
			return nil, err
		}
		var got map[string]any
		if json.Unmarshal(p, &got) == nil && reflect.DeepEqual(got, want) {
			return t, nil
		}
		have = append(have, string(p))
	}
	return nil, fmt.Errorf("the partition %s is none of connector %s's; its partitions are %v", partition, c.Name, have)
}
