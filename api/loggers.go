package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// rootLogger is the one logger Sluice has: its level is log.level's.
const rootLogger = "root"

// Loggers is the daemon's log level as Kafka Connect's /admin/loggers
// (KIP-495) shows and changes it, so that an operator can turn DEBUG on
// and off without a restart. Kafka Connect has a logger per class; Sluice
// has one, root.
type Loggers struct {
	Level zap.AtomicLevel

	mu       sync.Mutex
	modified *int64 // ms since the epoch of the last change; nil: none
}

type loggerJSON struct {
	Level        string `json:"level"`
	LastModified *int64 `json:"last_modified"`
}

func (l *Loggers) root() loggerJSON {
	l.mu.Lock()
	defer l.mu.Unlock()
	return loggerJSON{Level: strings.ToUpper(l.Level.Level().String()), LastModified: l.modified}
}

func (s *Server) loggers(w http.ResponseWriter, _ *http.Request) {
	if s.Loggers == nil {
		writeJSON(w, http.StatusOK, map[string]loggerJSON{})
		return
	}
	writeJSON(w, http.StatusOK, map[string]loggerJSON{rootLogger: s.Loggers.root()})
}

func (s *Server) logger(w http.ResponseWriter, r *http.Request) {
	if !s.knownLogger(w, r.PathValue("logger")) {
		return
	}
	writeJSON(w, http.StatusOK, s.Loggers.root())
}

// setLogger is PUT /admin/loggers/root {"level": "DEBUG"}: the level takes
// effect at once, for every connector (scope worker or cluster alike: the
// daemon is the whole cluster). The answer lists the loggers whose level
// changed, as Kafka Connect's does.
func (s *Server) setLogger(w http.ResponseWriter, r *http.Request) {
	if !s.knownLogger(w, r.PathValue("logger")) {
		return
	}
	var body struct {
		Level *string `json:"level"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("the body is not JSON such as {\"level\": \"DEBUG\"}: %v", err))
		return
	}
	if body.Level == nil {
		writeError(w, http.StatusBadRequest, "Desired 'level' parameter was not specified in request.")
		return
	}
	level, ok := zapLevel(*body.Level)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("invalid log level '%s'. Sluice logs at ERROR, WARN, INFO or DEBUG (TRACE is taken as DEBUG)", *body.Level))
		return
	}
	l := s.Loggers
	l.mu.Lock()
	changed := l.Level.Level() != level
	if changed {
		now := time.Now().UnixMilli()
		l.modified = &now
		l.Level.SetLevel(level)
	}
	l.mu.Unlock()
	if changed {
		s.log.Warn("log level changed through the REST API", zap.Stringer("level", level))
	}
	if r.URL.Query().Get("scope") == "cluster" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	out := []string{}
	if changed {
		out = append(out, rootLogger)
	}
	writeJSON(w, http.StatusOK, out)
}

// knownLogger answers 404 for any logger but root, naming the one there is.
func (s *Server) knownLogger(w http.ResponseWriter, name string) bool {
	if name == rootLogger && s.Loggers != nil {
		return true
	}
	writeError(w, http.StatusNotFound, fmt.Sprintf("Logger %s not found. Sluice has one logger, root, whose level is every connector's: use /admin/loggers/root", name))
	return false
}

// zapLevel maps a log4j level name, in any case, to Sluice's.
func zapLevel(name string) (zapcore.Level, bool) {
	switch strings.ToUpper(name) {
	case "ERROR":
		return zapcore.ErrorLevel, true
	case "WARN":
		return zapcore.WarnLevel, true
	case "INFO":
		return zapcore.InfoLevel, true
	case "DEBUG", "TRACE":
		return zapcore.DebugLevel, true
	}
	return 0, false
}
