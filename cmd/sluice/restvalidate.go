package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/sluice-cdc/sluice/api"
	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector"
)

// restValidator checks a connector config for the REST API's
// PUT /connector-plugins/{plugin}/config/validate as sluice validate checks
// a file: its properties first and, when they hold, the database and the
// stored offset (as Debezium checks the connection only once the fields
// are valid). A problem that names no property is put on connector.class,
// a server that cannot be reached on database.hostname, as Debezium puts
// it.
func restValidator(env connector.Env) func(context.Context, map[string]string) []api.ConfigProblem {
	return func(ctx context.Context, props map[string]string) []api.ConfigProblem {
		var out []api.ConfigProblem
		flat := maps.Clone(props)
		if strings.TrimSpace(flat["name"]) == "" {
			out = append(out, api.ConfigProblem{Key: "name", Msg: `Missing required configuration "name" which has no default value.`})
			flat["name"] = "validate"
		}
		data, err := json.Marshal(flat)
		if err != nil {
			return append(out, api.ConfigProblem{Key: "connector.class", Msg: err.Error()})
		}
		c, _, err := config.ParseConnectorWith(data, "config/validate", env.Worker.Providers)
		if err != nil {
			return append(out, configProblems(err)...)
		}
		if len(out) > 0 {
			return out
		}
		if err := connector.Check(c, env); err != nil {
			return append(out, api.ConfigProblem{Key: "connector.class", Msg: err.Error()})
		}
		vctx, cancel := context.WithTimeout(ctx, c.ConnectTimeout+15*time.Second)
		defer cancel()
		w := env.Worker
		probs, err := connector.Validate(vctx, c, env, offsetLoader(w, c, io.Discard), offsetScanner(w, c, io.Discard))
		for _, p := range probs {
			if !p.Warning {
				out = append(out, serverProblem(props, p))
			}
		}
		if err != nil {
			out = append(out, api.ConfigProblem{Key: "database.hostname", Msg: err.Error()})
		}
		return out
	}
}

// serverProblem puts a finding of the server checks on a property: its
// own when it names one, database.user for the user's privileges, else
// database.hostname (a server setting such as binlog_format, named in the
// message).
func serverProblem(props map[string]string, p config.Problem) api.ConfigProblem {
	if _, ok := props[p.Setting]; ok {
		return api.ConfigProblem{Key: p.Setting, Msg: p.Msg}
	}
	if p.Setting == "privileges" {
		return api.ConfigProblem{Key: "database.user", Msg: p.Msg}
	}
	return api.ConfigProblem{Key: "database.hostname", Msg: strings.TrimPrefix(p.Setting+": ", ": ") + p.Msg}
}

// configProblems are a config parse's errors, each on its property.
func configProblems(err error) []api.ConfigProblem {
	var es config.Errors
	if !errors.As(err, &es) {
		return []api.ConfigProblem{{Key: "connector.class", Msg: err.Error()}}
	}
	out := make([]api.ConfigProblem, 0, len(es))
	for _, e := range es {
		out = append(out, api.ConfigProblem{Key: cmp.Or(e.Key, "connector.class"), Msg: e.Error()})
	}
	return out
}
