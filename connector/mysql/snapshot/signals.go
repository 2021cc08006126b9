package snapshot

import (
	"encoding/json"
	"strings"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/notify"
)

// pauseOrResume acts on a pause-snapshot or resume-snapshot signal, as
// Debezium's do: the chunk in flight is still emitted, the next one waits.
func (i *Incremental) pauseOrResume(sig signal) {
	var req struct {
		Type string `json:"type"`
	}
	if sig.data != "" {
		if err := json.Unmarshal([]byte(sig.data), &req); err != nil {
			i.log.Error("ignoring "+sig.typ+" signal with unreadable data; expected {\"type\": \"incremental\"}",
				zap.String("id", sig.id), zap.String("data", sig.data), zap.Error(err))
			return
		}
	}
	if t := strings.ToLower(req.Type); t != "" && t != "incremental" {
		i.log.Error("ignoring "+sig.typ+" signal: only type \"incremental\" is supported", zap.String("id", sig.id), zap.String("type", req.Type))
		return
	}
	if !i.active() {
		i.log.Warn(sig.typ+" signal, but no on-demand snapshot is running", zap.String("id", sig.id))
		return
	}
	i.state.Paused = sig.typ == signalPauseSnapshot
	i.srv.Observer.SnapshotPaused(i.state.Paused)
	what, typ := "on-demand snapshot resumed", notify.Resumed
	if i.state.Paused {
		what, typ = "on-demand snapshot paused", notify.Paused
	}
	i.note(typ, "data_collections", strings.Join(i.state.Tables, ","))
	i.log.Info(what, zap.String("signal", sig.id), zap.Strings("tables_not_done", i.state.Tables))
}

// logSignal logs a log signal's message, as Debezium's Log action does.
func logSignal(log *zap.Logger, id, data string) {
	var req struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(data), &req); err != nil || req.Message == "" {
		log.Warn("ignoring log signal without a message; expected {\"message\": \"...\"}", zap.String("id", id), zap.String("data", data))
		return
	}
	log.Info("signal message", zap.String("id", id), zap.String("message", req.Message))
}
