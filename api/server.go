// Package api serves Kafka Connect's REST paths for the connectors a
// `sluice run` runs (their status, config, tasks and stored offsets; pause,
// resume, stop and restart), Kafka Connect's /health, and their metrics in
// Prometheus's text format at /metrics. Tools that watch a Kafka Connect worker (a
// status check, a dashboard, an alert on FAILED tasks) read Sluice the same
// way. Connectors are the files given to `sluice run`: the paths that
// would create, change or delete one answer 405 naming that.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector"
)

// Task is what the API shows and controls of one task; *connector.Task
// implements it.
type Task interface {
	State() string
	Failure() string
	Pause()
	Resume()
	Restart() bool
	Key() []byte
	StoredOffset(ctx context.Context) ([]byte, error)
	StoreOffset(ctx context.Context, value []byte) error
}

// Connector is one connector as the API shows it.
type Connector struct {
	Name string
	// Config is the connector file's config object, as Kafka Connect's
	// GET /connectors/NAME/config shows it, with secrets masked
	// (config.Properties.Redacted).
	Config map[string]string
	Tasks  []Task
	// Counters are the connector's (its tasks share them).
	Counters *connector.Counters
	// QueueCapacity is max.queue.size: Debezium's QueueTotalCapacity.
	QueueCapacity int
	// Topics lists the topics the connector writes to (Kafka Connect's
	// active topics); nil: none known. ResetTopics empties that list.
	Topics      func() []string
	ResetTopics func()
	// Observed: the source reports its connection and snapshot tables
	// (connector.Observed), so those metrics are its.
	Observed bool
}

// Server answers the REST API for a fixed set of connectors.
type Server struct {
	connectors map[string]*Connector
	names      []string
	version    string
	// WorkerID is what statuses give as worker_id (Kafka Connect's
	// advertised host:port), and ClusterID the Kafka cluster's id; set
	// them before Handler serves.
	WorkerID, ClusterID string
	// NoTopicTracking and NoTopicReset are the worker's
	// topic.tracking.enable=false and topic.tracking.allow.reset=false.
	NoTopicTracking, NoTopicReset bool
	// Loggers is the daemon's log level, for /admin/loggers; nil: none.
	Loggers *Loggers
	// Validate checks a connector config for PUT
	// /connector-plugins/{plugin}/config/validate (validate.go); nil: the
	// path answers 404.
	Validate func(ctx context.Context, props map[string]string) []ConfigProblem
	ready    atomic.Bool
	log      *zap.Logger

	mu      sync.Mutex
	stopped map[string]bool // connectors PUT .../stop stopped
}

// New returns a server for conns; version is Sluice's.
func New(conns []*Connector, version string, log *zap.Logger) *Server {
	s := &Server{connectors: map[string]*Connector{}, version: version, log: log, stopped: map[string]bool{}}
	for _, c := range conns {
		s.connectors[c.Name] = c
		s.names = append(s.names, c.Name)
	}
	sort.Strings(s.names)
	return s
}

// Ready marks the worker started: /health answers 200 from then on.
func (s *Server) Ready() { s.ready.Store(true) }

// Handler routes the API's paths.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.root)
	mux.HandleFunc("GET /health", s.health)
	mux.HandleFunc("GET /metrics", s.metrics)
	mux.HandleFunc("GET /connectors", s.list)
	mux.HandleFunc("POST /connectors", s.readOnly)
	mux.HandleFunc("GET /connector-plugins", s.plugins)
	mux.HandleFunc("PUT /connector-plugins/{plugin}/config/validate", s.validateConfig)
	mux.HandleFunc("GET /connectors/{name}", s.withConnector(s.info))
	mux.HandleFunc("DELETE /connectors/{name}", s.withConnector(s.readOnlyConnector))
	mux.HandleFunc("GET /connectors/{name}/config", s.withConnector(s.config))
	mux.HandleFunc("PUT /connectors/{name}/config", s.withConnector(s.readOnlyConnector))
	mux.HandleFunc("GET /connectors/{name}/status", s.withConnector(s.status))
	mux.HandleFunc("GET /connectors/{name}/tasks", s.withConnector(s.tasks))
	mux.HandleFunc("GET /connectors/{name}/tasks/{task}/status", s.withConnector(s.taskStatus))
	mux.HandleFunc("GET /connectors/{name}/offsets", s.withConnector(s.offsets))
	mux.HandleFunc("GET /connectors/{name}/topics", s.withConnector(s.topics))
	mux.HandleFunc("PUT /connectors/{name}/topics/reset", s.withConnector(s.resetTopics))
	mux.HandleFunc("PUT /connectors/{name}/pause", s.withConnector(s.pause))
	mux.HandleFunc("PUT /connectors/{name}/resume", s.withConnector(s.resume))
	mux.HandleFunc("PUT /connectors/{name}/stop", s.withConnector(s.stop))
	mux.HandleFunc("POST /connectors/{name}/restart", s.withConnector(s.restart))
	mux.HandleFunc("POST /connectors/{name}/tasks/{task}/restart", s.withConnector(s.restartTask))
	mux.HandleFunc("PATCH /connectors/{name}/offsets", s.withConnector(s.alterOffsets))
	mux.HandleFunc("DELETE /connectors/{name}/offsets", s.withConnector(s.resetOffsets))
	mux.HandleFunc("GET /admin/loggers", s.loggers)
	mux.HandleFunc("GET /admin/loggers/{logger}", s.logger)
	mux.HandleFunc("PUT /admin/loggers/{logger}", s.setLogger)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "HTTP 404 Not Found: "+r.Method+" "+r.URL.Path+" is not one of Kafka Connect's paths that Sluice serves")
	})
	return mux
}

// Serve listens on each address of listeners (host:port) and serves until
// ctx ends; the returned function waits for the servers to close. The
// listeners are open when Serve returns, so a port in use is its error.
func (s *Server) Serve(ctx context.Context, listeners []string) (addrs []string, wait func(), err error) {
	var servers []*http.Server
	var lns []net.Listener
	for _, a := range listeners {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			for _, l := range lns {
				_ = l.Close()
			}
			return nil, nil, fmt.Errorf("opening the REST listener %s: %w; free the port or set listeners to another", a, err)
		}
		lns = append(lns, ln)
		addrs = append(addrs, ln.Addr().String())
	}
	done := make(chan struct{})
	for _, ln := range lns {
		srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, srv)
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("REST listener stopped", zap.String("address", ln.Addr().String()), zap.Error(err))
			}
		}()
	}
	go func() {
		<-ctx.Done()
		// A status check in flight gets its answer; nothing waits longer.
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		for _, srv := range servers {
			_ = srv.Shutdown(sctx)
		}
		close(done)
	}()
	return addrs, func() { <-done }, nil
}

func (s *Server) withConnector(h func(http.ResponseWriter, *http.Request, *Connector)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		c, ok := s.connectors[name]
		if !ok {
			msg := fmt.Sprintf("Connector %s not found", name)
			if strings.HasSuffix(r.URL.Path, "/status") {
				msg = "No status found for connector " + name // Kafka Connect's words there
			}
			writeError(w, http.StatusNotFound, msg)
			return
		}
		h(w, r, c)
	}
}

// root is Kafka Connect's worker information: Sluice's version, the
// commit it was built from and the Kafka cluster's id.
func (s *Server) root(w http.ResponseWriter, _ *http.Request) {
	info := map[string]string{"version": s.version, "commit": commit()}
	if s.ClusterID != "" {
		info["kafka_cluster_id"] = s.ClusterID
	}
	writeJSON(w, http.StatusOK, info)
}

// commit is the VCS revision the binary was built from, "unknown" when the
// build recorded none (a build outside a git checkout).
func commit() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, kv := range bi.Settings {
			if kv.Key == "vcs.revision" && len(kv.Value) >= 16 {
				return kv.Value[:16]
			}
		}
	}
	return "unknown"
}

// health is Kafka Connect's (KIP-1017): 503 while the worker starts, 200
// once its connectors run.
func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	if !s.ready.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting",
			"message": "Worker is still starting up."})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "healthy",
		"message": "Worker has completed startup and is ready to handle requests."})
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	expand := r.URL.Query()["expand"]
	if len(expand) == 0 {
		writeJSON(w, http.StatusOK, s.names)
		return
	}
	out := map[string]map[string]any{}
	for _, name := range s.names {
		c := s.connectors[name]
		m := map[string]any{}
		for _, e := range expand {
			switch e {
			case "status":
				m["status"] = s.statusOf(c)
			case "info":
				m["info"] = infoOf(c)
			}
		}
		out[name] = m
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) plugins(w http.ResponseWriter, _ *http.Request) {
	var out []map[string]string
	for _, class := range connector.Classes() {
		out = append(out, map[string]string{"class": class, "type": "source", "version": s.version})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) info(w http.ResponseWriter, _ *http.Request, c *Connector) {
	writeJSON(w, http.StatusOK, infoOf(c))
}

func (s *Server) config(w http.ResponseWriter, _ *http.Request, c *Connector) {
	writeJSON(w, http.StatusOK, c.Config)
}

func (s *Server) status(w http.ResponseWriter, _ *http.Request, c *Connector) {
	writeJSON(w, http.StatusOK, s.statusOf(c))
}

func (s *Server) tasks(w http.ResponseWriter, _ *http.Request, c *Connector) {
	out := make([]map[string]any, len(c.Tasks))
	for i := range c.Tasks {
		out[i] = map[string]any{"id": taskID{c.Name, i}, "config": c.Config}
	}
	writeJSON(w, http.StatusOK, out)
}

// taskIndex is the path's task id as an index into c.Tasks; false when it
// names none.
func taskIndex(r *http.Request, c *Connector) (int, bool) {
	var i int
	_, err := fmt.Sscan(r.PathValue("task"), &i)
	return i, err == nil && i >= 0 && i < len(c.Tasks)
}

func (s *Server) taskStatus(w http.ResponseWriter, r *http.Request, c *Connector) {
	i, ok := taskIndex(r, c)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("No status found for task %s-%s", c.Name, r.PathValue("task")))
		return
	}
	writeJSON(w, http.StatusOK, s.taskStatusOf(i, c.Tasks[i]))
}

// topics is Kafka Connect's active topics (KIP-558), since the process
// started.
func (s *Server) topics(w http.ResponseWriter, _ *http.Request, c *Connector) {
	if s.NoTopicTracking {
		writeError(w, http.StatusForbidden, "Topic tracking is disabled.")
		return
	}
	topics := []string{}
	if c.Topics != nil {
		topics = append(topics, c.Topics()...)
	}
	writeJSON(w, http.StatusOK, map[string]map[string][]string{c.Name: {"topics": topics}})
}

// resetTopics is PUT .../topics/reset: the active topics start over, each
// listed again once written to (within offset.flush.interval.ms).
func (s *Server) resetTopics(w http.ResponseWriter, _ *http.Request, c *Connector) {
	switch {
	case s.NoTopicTracking:
		writeError(w, http.StatusForbidden, "Topic tracking is disabled.")
		return
	case s.NoTopicReset:
		writeError(w, http.StatusForbidden, "Topic tracking reset is disabled.")
		return
	}
	if c.ResetTopics != nil {
		c.ResetTopics()
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) pause(w http.ResponseWriter, _ *http.Request, c *Connector) {
	for _, t := range c.Tasks {
		t.Pause()
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) resume(w http.ResponseWriter, _ *http.Request, c *Connector) {
	s.mu.Lock()
	delete(s.stopped, c.Name)
	s.mu.Unlock()
	for _, t := range c.Tasks {
		t.Resume()
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) readOnly(w http.ResponseWriter, _ *http.Request) {
	writeError(w, http.StatusMethodNotAllowed, "Sluice's connectors are the files given to `sluice run`: add, change or remove the file and restart sluice")
}

func (s *Server) readOnlyConnector(w http.ResponseWriter, r *http.Request, c *Connector) {
	s.readOnly(w, r)
}

// offsets is Kafka Connect's GET /connectors/NAME/offsets (KIP-875): each
// task's stored source partition and offset.
func (s *Server) offsets(w http.ResponseWriter, r *http.Request, c *Connector) {
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	type entry struct {
		Partition json.RawMessage `json:"partition"`
		Offset    json.RawMessage `json:"offset"`
	}
	out := struct {
		Offsets []entry `json:"offsets"`
	}{Offsets: []entry{}}
	for _, t := range c.Tasks {
		value, err := t.StoredOffset(ctx)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		if value == nil {
			continue
		}
		p, err := partitionOf(t.Key())
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		out.Offsets = append(out.Offsets, entry{Partition: p, Offset: value})
	}
	writeJSON(w, http.StatusOK, out)
}

// partitionOf is the source partition of an offset key, Kafka Connect's
// ["<connector>", {partition}].
func partitionOf(key []byte) (json.RawMessage, error) {
	var k []json.RawMessage
	if err := json.Unmarshal(key, &k); err != nil || len(k) != 2 {
		return nil, fmt.Errorf("the offset key %s is not [name, partition]", key)
	}
	return k[1], nil
}

type taskID struct {
	Connector string `json:"connector"`
	Task      int    `json:"task"`
}

func infoOf(c *Connector) map[string]any {
	ids := make([]taskID, len(c.Tasks))
	for i := range c.Tasks {
		ids[i] = taskID{c.Name, i}
	}
	return map[string]any{"name": c.Name, "config": c.Config, "tasks": ids, "type": "source"}
}

// stateJSON is a connector's or task's state as Kafka Connect 4.1 gives
// it, version included (KIP-891's: Sluice's own).
type stateJSON struct {
	ID       *int   `json:"id,omitempty"`
	State    string `json:"state"`
	WorkerID string `json:"worker_id"`
	Version  string `json:"version"`
	Trace    string `json:"trace,omitempty"`
}

type statusJSON struct {
	Name      string      `json:"name"`
	Connector stateJSON   `json:"connector"`
	Tasks     []stateJSON `json:"tasks"`
	Type      string      `json:"type"`
}

// statusOf is Kafka Connect's status: the connector RUNNING (PAUSED when
// every task is), each task as it is; a FAILED task's trace is its error.
func (s *Server) statusOf(c *Connector) statusJSON {
	st := statusJSON{Name: c.Name, Type: "source", Tasks: []stateJSON{}}
	paused := len(c.Tasks) > 0
	for i, t := range c.Tasks {
		ts := s.taskStatusOf(i, t)
		paused = paused && ts.State == connector.StatePaused
		st.Tasks = append(st.Tasks, ts)
	}
	st.Connector = stateJSON{State: connector.StateRunning, WorkerID: s.WorkerID, Version: s.version}
	switch {
	case s.isStopped(c):
		// Kafka Connect's STOPPED connector has no tasks.
		st.Connector.State, st.Tasks = connector.StateStopped, []stateJSON{}
	case paused:
		st.Connector.State = connector.StatePaused
	}
	return st
}

func (s *Server) taskStatusOf(i int, t Task) stateJSON {
	ts := stateJSON{ID: &i, State: t.State(), WorkerID: s.WorkerID, Version: s.version}
	if ts.State == connector.StateFailed {
		ts.Trace = t.Failure()
	}
	return ts
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers as Kafka Connect's REST errors do.
func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]any{"error_code": code, "message": msg})
}
