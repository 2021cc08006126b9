package config

import (
	"bytes"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// TestSecretThroughZap logs a connector and a worker the ways a caller might
// and checks the JSON log line holds no credential.
func TestSecretThroughZap(t *testing.T) {
	const pw = "hunter2-secret"
	c, _ := mustParse(t, with("value.converter", ConfluentAvroConverterClass,
		"value.converter.schema.registry.url", "http://x",
		"value.converter.basic.auth.user.info", "u:"+pw))
	w, _, err := LoadWorker("", []string{"SLUICE_BOOTSTRAP_SERVERS=k:1", "SLUICE_PRODUCER_SASL_JAAS_CONFIG=password=" + pw}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	core := zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(&buf), zap.DebugLevel)
	log := zap.New(core)
	log.Info("loaded",
		zap.Any("connector", c),
		zap.Any("connector_value", *c),
		zap.Reflect("reflected", c),
		zap.Any("password", c.Password),
		zap.Stringer("password_stringer", c.Password),
		zap.Any("raw", c.Raw),
		zap.Any("worker", w),
		zap.Any("producer", w.Producer),
	)
	_ = log.Sync()
	out := buf.String()
	if strings.Contains(out, pw) {
		t.Fatalf("zap output leaks a credential:\n%s", out)
	}
	if !strings.Contains(out, `"password":"********"`) || !strings.Contains(out, `"password_stringer":"********"`) {
		t.Errorf("masked password missing:\n%s", out)
	}
}
