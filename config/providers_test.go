package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// providerWorker writes a secrets file and directory and a worker file
// defining Kafka's three providers over them.
func providerWorker(t *testing.T, extra string) (w *Worker, secrets, dir string) {
	t.Helper()
	tmp := t.TempDir()
	secrets = filepath.Join(tmp, "db.properties")
	if err := os.WriteFile(secrets, []byte("# the database account\nuser = cdc\npassword=s3cr;et\\=x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(tmp, "secrets")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "host"), []byte("db.internal"), 0o600); err != nil {
		t.Fatal(err)
	}
	wf := writeFile(t, "bootstrap.servers=localhost:9092\nconfig.providers=file,dir,env\n"+
		"config.providers.file.class="+FileConfigProvider+"\n"+
		"config.providers.dir.class="+DirectoryConfigProvider+"\n"+
		"config.providers.env.class="+EnvVarConfigProvider+"\n"+
		"config.providers.env.param.allowlist.pattern=TEST_.*\n"+extra)
	w, warns, err := LoadWorker(wf, []string{"TEST_TOPIC_PREFIX=inv", "SECRET_ELSEWHERE=x"}, nil)
	if err != nil {
		t.Fatalf("worker: %v", err)
	}
	if len(warns) > 0 {
		t.Errorf("worker warnings: %v", warns)
	}
	return w, secrets, dir
}

// A connector's values take their secrets from Kafka's file, directory and
// environment providers as Kafka Connect resolves them; a variable naming
// no defined provider stays as written, as in Kafka.
func TestConfigProvidersResolve(t *testing.T) {
	w, secrets, dir := providerWorker(t, "")
	cfg := with("database.user", "${file:"+secrets+":user}", "database.password", "${file:"+secrets+":password}",
		"database.hostname", "${dir:"+dir+":host}", "topic.prefix", "${env:TEST_TOPIC_PREFIX}",
		"table.include.list", "inv.${vault:kv/db:table}")
	f := filepath.Join(t.TempDir(), "c.json")
	if err := os.WriteFile(f, file(t, "inventory", cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := LoadConnectorWith(f, w.Providers)
	if err != nil {
		t.Fatal(err)
	}
	if c.User != "cdc" || c.Password.Reveal() != "s3cr;et=x" || c.Hostname != "db.internal" || c.TopicPrefix != "inv" {
		t.Errorf("resolved user %q password %q host %q prefix %q", c.User, c.Password.Reveal(), c.Hostname, c.TopicPrefix)
	}
	if got := c.Raw["table.include.list"]; got != "inv.${vault:kv/db:table}" {
		t.Errorf("an undefined provider's variable became %q, want it unchanged", got)
	}
	// Without the worker's providers nothing is resolved.
	c, _, err = ParseConnector(file(t, "inventory", with("database.user", "${file:"+secrets+":user}")), "c.json")
	if err != nil || c.User != "${file:"+secrets+":user}" {
		t.Errorf("without providers: %+v, %v", c, err)
	}
}

// What a provider cannot give is an error naming the property and the
// variable, never the secret; a provider class Sluice does not have is
// refused in the worker file.
func TestConfigProvidersErrors(t *testing.T) {
	w, secrets, dir := providerWorker(t, "")
	for prop, tc := range map[string]struct{ val, want string }{
		"database.password": {"${file:" + secrets + ":pass}", `has no property "pass" (it has password, user)`},
		"database.user":     {"${dir:" + dir + ":nope}", "reading " + filepath.Join(dir, "nope")},
		"topic.prefix":      {"${env:SECRET_ELSEWHERE}", "environment variable SECRET_ELSEWHERE is not allowed by the provider's param.allowlist.pattern"},
		"database.hostname": {"${env:TEST_UNSET}", "environment variable TEST_UNSET is not set"},
	} {
		_, _, err := parseConnector(file(t, "inventory", with(prop, tc.val)), "c.json", w.Providers)
		if err == nil || !strings.Contains(err.Error(), `property "`+prop+`"`) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%s: %v, want an error naming it and %q", prop, tc.val, err, tc.want)
		}
	}
	w, secrets, _ = providerWorker(t, "config.providers.file.param.allowed.paths=/nowhere,/etc\n")
	_, _, err := parseConnector(file(t, "inventory", with("database.password", "${file:"+secrets+":password}")), "c.json", w.Providers)
	if err == nil || !strings.Contains(err.Error(), "is not under the provider's param.allowed.paths") || strings.Contains(err.Error(), "s3cr") {
		t.Errorf("a path outside allowed.paths: %v", err)
	}
	_, _, err = LoadWorker(writeFile(t, "config.providers=vault\nconfig.providers.vault.class=io.confluent.csid.config.provider.vault.VaultConfigProvider\n"), nil, nil)
	if err == nil || !strings.Contains(err.Error(), `property "config.providers.vault.class"`) || !strings.Contains(err.Error(), "is not a config provider Sluice has") {
		t.Errorf("another provider class: %v", err)
	}
}

// The worker's own values take provider variables too (Kafka Connect
// resolves its worker configuration the same way): here the SASL login.
func TestConfigProvidersInWorker(t *testing.T) {
	tmp := t.TempDir()
	jaas := filepath.Join(tmp, "kafka.properties")
	entry := `org.apache.kafka.common.security.plain.PlainLoginModule required username="cdc" password="pw";`
	if err := os.WriteFile(jaas, []byte("jaas="+entry+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w, _, err := LoadWorker(writeFile(t, "bootstrap.servers=localhost:9092\nconfig.providers=file\nconfig.providers.file.class="+FileConfigProvider+
		"\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=${file:"+jaas+":jaas}\n"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.Raw["sasl.jaas.config"] != entry {
		t.Errorf("sasl.jaas.config %q", w.Raw["sasl.jaas.config"])
	}
}
