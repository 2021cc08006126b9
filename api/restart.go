package api

import (
	"fmt"
	"net/http"
	"strings"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector"
)

// restart is Kafka Connect's POST /connectors/NAME/restart (KIP-745).
// Without includeTasks or onlyFailed, Kafka Connect restarts the connector
// instance alone, which starts no task again; in Sluice that instance is
// the connector's file, so there is nothing to do (204, as Connect). With
// them, the tasks asked for start again from their stored offsets, and the
// answer (202) is the status with what restarts marked RESTARTING. A
// paused task stays paused and a stopped connector stopped, as in Connect.
func (s *Server) restart(w http.ResponseWriter, r *http.Request, c *Connector) {
	includeTasks := javaBool(r.URL.Query().Get("includeTasks"))
	onlyFailed := javaBool(r.URL.Query().Get("onlyFailed"))
	if !includeTasks && !onlyFailed {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	st := s.statusOf(c)
	if !onlyFailed {
		st.Connector.State = connector.StateRestarting
	}
	// A stopped connector's status lists no task: there is none to restart.
	if includeTasks && len(st.Tasks) == len(c.Tasks) {
		for i := range c.Tasks {
			if onlyFailed && st.Tasks[i].State != connector.StateFailed {
				continue
			}
			st.Tasks[i].State = connector.StateRestarting
			s.restartOne(c, i)
		}
	}
	writeJSON(w, http.StatusAccepted, st)
}

// restartTask is POST /connectors/NAME/tasks/ID/restart: the task starts
// again from its stored offset, a failed one at once, a running one once
// it has drained and stored its position.
func (s *Server) restartTask(w http.ResponseWriter, r *http.Request, c *Connector) {
	i, ok := taskIndex(r, c)
	if !ok || s.isStopped(c) {
		// A stopped connector has no tasks, in Kafka Connect as here.
		writeError(w, http.StatusNotFound, fmt.Sprintf("Task %s-%s not found", c.Name, r.PathValue("task")))
		return
	}
	s.restartOne(c, i)
	w.WriteHeader(http.StatusNoContent)
}

// restartOne asks c's i-th task to restart, and logs it when it does.
func (s *Server) restartOne(c *Connector, i int) {
	if c.Tasks[i].Restart() {
		s.log.Info("restarting a task, as asked through the REST API", zap.String("connector", c.Name), zap.Int("task", i))
	}
}

// javaBool reads a query parameter as Kafka Connect's JAX-RS does
// (Boolean.parseBoolean): "true" in any case is true, all else false.
func javaBool(v string) bool { return strings.EqualFold(v, "true") }
