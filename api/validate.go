package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/sluice-cdc/sluice/config"
)

// ConfigProblem is one problem a check of a connector config finds, on the
// property Key.
type ConfigProblem struct{ Key, Msg string }

// configInfo is one entry of Kafka Connect's ConfigInfos answer: the
// property's definition and its value with the errors found in it.
type configInfo struct {
	Definition configKey   `json:"definition"`
	Value      configValue `json:"value"`
}

type configKey struct {
	Name          string   `json:"name"`
	Type          string   `json:"type"`
	Required      bool     `json:"required"`
	DefaultValue  *string  `json:"default_value"`
	Importance    string   `json:"importance"`
	Documentation string   `json:"documentation"`
	Group         string   `json:"group"`
	Width         string   `json:"width"`
	DisplayName   string   `json:"display_name"`
	Dependents    []string `json:"dependents"`
	Order         int      `json:"order"`
}

type configValue struct {
	Name              string   `json:"name"`
	Value             *string  `json:"value"`
	RecommendedValues []string `json:"recommended_values"`
	Errors            []string `json:"errors"`
	Visible           bool     `json:"visible"`
}

// validateConfig answers PUT /connector-plugins/{plugin}/config/validate as
// Kafka Connect does: every property given (and each one missing that a
// problem names) with the errors Sluice's checks find in it, and their
// count. Definitions carry names and types only: Sluice has no ConfigDef
// to describe each property with.
func (s *Server) validateConfig(w http.ResponseWriter, r *http.Request) {
	plugin := r.PathValue("plugin")
	var props map[string]string
	if err := json.NewDecoder(r.Body).Decode(&props); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("the body must be a JSON object of string properties: %v", err))
		return
	}
	class := props["connector.class"]
	if class == "" {
		writeError(w, http.StatusBadRequest, "Connector config contains no connector type: set connector.class")
		return
	}
	if simpleName(class) != simpleName(plugin) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Included connector type %s does not match request type %s", class, plugin))
		return
	}
	if s.Validate == nil {
		writeError(w, http.StatusNotFound, "this worker does not validate connector configs")
		return
	}
	problems := s.Validate(r.Context(), props)
	writeJSON(w, http.StatusOK, configInfos(class, props, problems))
}

// simpleName is a plugin's name as Kafka Connect matches it: the class
// without its package and its Connector suffix, in lower case (an alias
// such as MariaDb or MariaDbConnector names the class).
func simpleName(class string) string {
	class = class[strings.LastIndexByte(class, '.')+1:]
	return strings.ToLower(strings.TrimSuffix(class, "Connector"))
}

func configInfos(class string, props map[string]string, problems []ConfigProblem) map[string]any {
	errs := map[string][]string{}
	for _, p := range problems {
		errs[p.Key] = append(errs[p.Key], p.Msg)
	}
	keys := slices.Collect(func(yield func(string) bool) {
		for k := range props {
			if !yield(k) {
				return
			}
		}
		for k := range errs {
			if _, ok := props[k]; !ok && !yield(k) {
				return
			}
		}
	})
	slices.Sort(keys)
	configs := make([]configInfo, 0, len(keys))
	for _, k := range keys {
		typ, val := "STRING", (*string)(nil)
		if v, ok := props[k]; ok {
			val = &v
		}
		if config.IsSensitive(k) {
			typ = "PASSWORD"
			if val != nil {
				hidden := "[hidden]"
				val = &hidden
			}
		}
		group := "Common"
		if k != "name" && k != "connector.class" {
			group = "Connector"
		}
		configs = append(configs, configInfo{
			Definition: configKey{Name: k, Type: typ, Required: k == "name" || k == "connector.class", Importance: "MEDIUM",
				Group: group, Width: "NONE", DisplayName: k, Dependents: []string{}, Order: -1},
			Value: configValue{Name: k, Value: val, RecommendedValues: []string{}, Errors: append([]string{}, errs[k]...), Visible: true},
		})
	}
	return map[string]any{"name": class, "error_count": len(problems), "groups": []string{"Common", "Connector"}, "configs": configs}
}
