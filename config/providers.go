package config

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Kafka's config providers, which Kafka Connect resolves in connector and
// worker configurations: a value's ${provider:path:key} (or
// ${provider:key}) is replaced by what the provider named in the worker's
// config.providers returns.
const (
	FileConfigProvider      = "org.apache.kafka.common.config.provider.FileConfigProvider"
	DirectoryConfigProvider = "org.apache.kafka.common.config.provider.DirectoryConfigProvider"
	EnvVarConfigProvider    = "org.apache.kafka.common.config.provider.EnvVarConfigProvider"
)

// providerVar is Kafka's ConfigTransformer pattern: provider, an optional
// path, and a key.
var providerVar = regexp.MustCompile(`\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}`)

// Providers are the worker's config providers by name (config.providers).
// The zero value has none and resolves nothing.
type Providers struct {
	byName map[string]provider
	env    map[string]string // the process environment, for EnvVarConfigProvider
}

type provider struct {
	class   string
	allowed []string       // param.allowed.paths (file and directory); nil: any
	envOK   *regexp.Regexp // param.allowlist.pattern (environment)
}

// parseProviders reads config.providers and each provider's class and
// parameters from the worker's properties. A class other than Kafka's
// three built-in ones is refused: Sluice cannot run Java classes.
func (r *reader) parseProviders(env []string) Providers {
	p := Providers{byName: map[string]provider{}, env: map[string]string{}}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			p.env[k] = v
		}
	}
	for _, name := range strings.Split(r.str("config.providers", ""), ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		key := "config.providers." + name + ".class"
		pr := provider{class: strings.TrimSpace(r.str(key, ""))}
		switch pr.class {
		case FileConfigProvider, DirectoryConfigProvider, EnvVarConfigProvider:
		case "":
			r.fail(key, "", fmt.Sprintf("is required: config.providers names %q; set it to Kafka's %s, %s or %s", name,
				FileConfigProvider, DirectoryConfigProvider, EnvVarConfigProvider))
			continue
		default:
			r.fail(key, pr.class, fmt.Sprintf("is not a config provider Sluice has: it resolves Kafka's %s, %s and %s; write the values in, or keep them in files or environment variables those read",
				FileConfigProvider, DirectoryConfigProvider, EnvVarConfigProvider))
			continue
		}
		param := "config.providers." + name + ".param."
		if v := strings.TrimSpace(r.str(param+"allowed.paths", "")); v != "" {
			for _, a := range strings.Split(v, ",") {
				if a = strings.TrimSpace(a); a != "" {
					pr.allowed = append(pr.allowed, filepath.Clean(a))
				}
			}
		}
		if v := r.str(param+"allowlist.pattern", ""); v != "" {
			re, err := regexp.Compile("^(?:" + v + ")$")
			if err != nil {
				r.fail(param+"allowlist.pattern", v, "is not a regular expression: "+err.Error())
				continue
			}
			pr.envOK = re
		}
		p.byName[name] = pr
	}
	for k := range r.vals {
		if strings.HasPrefix(k, "config.providers.") {
			r.used[k] = true
		}
	}
	return p
}

// resolve replaces the provider variables in value, as Kafka's
// ConfigTransformer does. A variable naming no configured provider is left
// as it is (as in Kafka); one whose provider cannot give the value is an
// error naming the variable (Kafka would leave it, and the literal text
// would fail later as a password or a host).
func (p Providers) resolve(value string) (string, error) {
	if len(p.byName) == 0 || !strings.Contains(value, "${") {
		return value, nil
	}
	var firstErr error
	out := providerVar.ReplaceAllStringFunc(value, func(v string) string {
		m := providerVar.FindStringSubmatch(v)
		pr, ok := p.byName[m[1]]
		if !ok {
			return v
		}
		got, err := pr.get(m[3], m[4], p.env)
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("%s: %w", v, err)
			}
			return v
		}
		return got
	})
	return out, firstErr
}

func (pr provider) get(path, key string, env map[string]string) (string, error) {
	switch pr.class {
	case EnvVarConfigProvider:
		if path != "" {
			return "", fmt.Errorf("EnvVarConfigProvider takes no path; write ${<provider>:%s}", key)
		}
		if pr.envOK != nil && !pr.envOK.MatchString(key) {
			return "", fmt.Errorf("environment variable %s is not allowed by the provider's param.allowlist.pattern", key)
		}
		v, ok := env[key]
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", key)
		}
		return v, nil
	case FileConfigProvider:
		if err := pr.allow(path); err != nil {
			return "", err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", path, err)
		}
		props, err := ParseProperties(data)
		if err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
		for i := len(props) - 1; i >= 0; i-- { // the last assignment wins
			if props[i].Key == key {
				return props[i].Value, nil
			}
		}
		keys := make([]string, 0, len(props))
		for _, pp := range props {
			keys = append(keys, pp.Key)
		}
		sort.Strings(keys)
		return "", fmt.Errorf("%s has no property %q (it has %s)", path, key, strings.Join(keys, ", "))
	default: // DirectoryConfigProvider: the key is a file in the directory
		if err := pr.allow(path); err != nil {
			return "", err
		}
		if key != filepath.Base(key) || key == "." || key == ".." {
			return "", fmt.Errorf("%q is not a file name", key)
		}
		data, err := os.ReadFile(filepath.Join(path, key))
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", filepath.Join(path, key), err)
		}
		return string(data), nil
	}
}

// allow checks path against param.allowed.paths, as Kafka's providers do.
func (pr provider) allow(path string) error {
	if path == "" {
		return fmt.Errorf("no path: write ${<provider>:<path>:<key>}")
	}
	if pr.allowed == nil {
		return nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	for _, a := range pr.allowed {
		if rel, err := filepath.Rel(a, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil
		}
	}
	return fmt.Errorf("%s is not under the provider's param.allowed.paths (%s)", path, strings.Join(pr.allowed, ","))
}

// resolveAll resolves every value of vals but the providers' own
// settings; a failure is an error of the property it is in.
func (p Providers) resolveAll(vals map[string]string, fail func(key, val, msg string)) {
	for k, v := range vals {
		if strings.HasPrefix(k, "config.providers") {
			continue
		}
		got, err := p.resolve(v)
		if err != nil {
			fail(k, v, "names a config provider value Sluice cannot read: "+err.Error())
			continue
		}
		vals[k] = got
	}
}
