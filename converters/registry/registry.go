// Package registry is a client of the Confluent Schema Registry REST API, the
// part the Avro converter needs: register a schema under a subject, look one
// up, read the latest version, read a schema by id. Apicurio Registry serves
// the same API under /apis/ccompat/v7, so a URL may carry a path.
//
// It is its own small net/http client rather than srclient because the
// converter needs what srclient lacks: a context on every call (the poller
// cancels on shutdown), several URLs tried in turn, bearer tokens, and the
// registry's HTTP status and error code kept apart, so that a refusal (409
// incompatible, 422 invalid, 401/403) is a definite error and an unreachable
// or failing server (5xx) a transient one.
package registry

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sluice-cdc/sluice/internal/fault"
)

// Config is how to reach the registry.
type Config struct {
	// URLs are the registry's base URLs, each possibly with a path
	// (http://host:8080/apis/ccompat/v7). Calls go to the one that last
	// answered, and to the next on a network error or a 5xx.
	URLs []string
	// User and Password, when User is set, are sent as HTTP basic auth.
	User, Password string
	// BearerToken, when set, is sent as "Authorization: Bearer <token>".
	BearerToken string
	// TLS configures https URLs; nil uses the system roots.
	TLS *tls.Config
	// Timeout bounds one HTTP request (default 30 s); the caller's context
	// bounds the whole call.
	Timeout time.Duration
}

// Client is safe for concurrent use.
type Client struct {
	urls    []string
	cfg     Config
	http    *http.Client
	current atomic.Int32 // index into urls of the last URL that answered
}

// New checks cfg and returns a client; it connects to nothing.
func New(cfg Config) (*Client, error) {
	if len(cfg.URLs) == 0 {
		return nil, errors.New("registry: no URL")
	}
	c := &Client{cfg: cfg}
	for _, raw := range cfg.URLs {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("registry: URL %q is not an http:// or https:// URL", raw)
		}
		if u.User != nil && cfg.User == "" {
			// basic.auth.credentials.source=URL: credentials in the URL.
			c.cfg.User = u.User.Username()
			c.cfg.Password, _ = u.User.Password()
		}
		u.User = nil
		c.urls = append(c.urls, strings.TrimRight(u.String(), "/"))
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg.TLS
	c.http = &http.Client{Timeout: timeout, Transport: tr}
	return c, nil
}

// Error is a response from the registry other than success.
type Error struct {
	Op      string // what was being done: "registering a schema under subject x"
	URL     string
	Status  int    // HTTP status
	Code    int    // the registry's error_code, when it sent one
	Message string // the registry's message, or the body
}

func (e *Error) Error() string {
	code := ""
	if e.Code != 0 {
		code = fmt.Sprintf(", error code %d", e.Code)
	}
	return fmt.Sprintf("%s: schema registry %s answered HTTP %d%s: %s", e.Op, e.URL, e.Status, code, e.Message)
}

// Incompatible reports whether the registry refused a schema as
// incompatible with the subject's earlier versions (HTTP 409).
func (e *Error) Incompatible() bool { return e.Status == http.StatusConflict }

// NotFound reports a subject, version or schema the registry does not have.
func (e *Error) NotFound() bool { return e.Status == http.StatusNotFound }

// definite tells a refusal (the same request would be refused again) from
// a server in trouble: 4xx except 408 and 429 are definite.
func (e *Error) definite() bool {
	return e.Status >= 400 && e.Status < 500 && e.Status != http.StatusRequestTimeout && e.Status != http.StatusTooManyRequests
}

const contentType = "application/vnd.schemaregistry.v1+json"

// do sends one request, trying the URLs in turn from the last that
// answered. out, when not nil, receives the JSON response.
func (c *Client) do(ctx context.Context, op, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	start := int(c.current.Load())
	var lastErr, answered error
	for i := range c.urls {
		idx := (start + i) % len(c.urls)
		err := c.once(ctx, op, method, c.urls[idx]+path, body, out)
		var re *Error
		if err == nil || (errors.As(err, &re) && re.Status < 500) {
			c.current.Store(int32(idx))
			return err
		}
		lastErr = err
		if re != nil {
			answered = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	// A server's own answer says more than another one's silence.
	if answered != nil {
		return answered
	}
	return lastErr
}

func (c *Client) once(ctx context.Context, op, method, u string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return fault.Definite(fmt.Errorf("%s: %w", op, err))
	}
	req.Header.Set("Accept", contentType+", application/json")
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	switch {
	case c.cfg.BearerToken != "":
		req.Header.Set("Authorization", "Bearer "+c.cfg.BearerToken)
	case c.cfg.User != "":
		req.SetBasicAuth(c.cfg.User, c.cfg.Password)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var cv *tls.CertificateVerificationError
		if errors.As(err, &cv) {
			// Retrying cannot make a certificate trusted.
			return fault.Definite(fmt.Errorf("%s: schema registry %s: %w; trust its CA with schema.registry.ssl.truststore.location (PEM, JKS or PKCS12)", op, u, err))
		}
		// Unreachable, reset, timed out: transient.
		return fmt.Errorf("%s: schema registry %s: %w", op, u, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s: reading the answer of schema registry %s: %w", op, u, err)
	}
	if resp.StatusCode/100 != 2 {
		re := &Error{Op: op, URL: u, Status: resp.StatusCode}
		var msg struct {
			Code    int    `json:"error_code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &msg) == nil && msg.Message != "" {
			re.Code, re.Message = msg.Code, msg.Message
		} else {
			re.Message = strings.TrimSpace(string(data))
		}
		if re.definite() {
			return fault.Definite(re)
		}
		return re
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: schema registry %s sent an answer that is not the JSON expected: %w", op, u, err)
	}
	return nil
}

type schemaRequest struct {
	Schema     string `json:"schema"`
	SchemaType string `json:"schemaType,omitempty"`
}

// Register registers an Avro schema under subject (a no-op returning the
// existing id when the subject already has it) and returns its id.
func (c *Client) Register(ctx context.Context, subject, schema string) (int, error) {
	var out struct {
		ID int `json:"id"`
	}
	op := fmt.Sprintf("registering a schema under subject %q", subject)
	err := c.do(ctx, op, http.MethodPost, "/subjects/"+url.PathEscape(subject)+"/versions", schemaRequest{Schema: schema}, &out)
	return out.ID, err
}

// Lookup returns the id of schema when subject has it; a registry that does
// not have it answers 404 (an *Error whose NotFound is true).
func (c *Client) Lookup(ctx context.Context, subject, schema string) (int, error) {
	var out struct {
		ID int `json:"id"`
	}
	op := fmt.Sprintf("looking up a schema in subject %q", subject)
	err := c.do(ctx, op, http.MethodPost, "/subjects/"+url.PathEscape(subject), schemaRequest{Schema: schema}, &out)
	return out.ID, err
}

// Latest returns the id and text of the latest version of subject.
func (c *Client) Latest(ctx context.Context, subject string) (int, string, error) {
	var out struct {
		ID     int    `json:"id"`
		Schema string `json:"schema"`
	}
	op := fmt.Sprintf("reading the latest version of subject %q", subject)
	err := c.do(ctx, op, http.MethodGet, "/subjects/"+url.PathEscape(subject)+"/versions/latest", nil, &out)
	return out.ID, out.Schema, err
}

// SchemaByID returns the text of the schema with the given id.
func (c *Client) SchemaByID(ctx context.Context, id int) (string, error) {
	var out struct {
		Schema string `json:"schema"`
	}
	op := fmt.Sprintf("reading schema id %d", id)
	err := c.do(ctx, op, http.MethodGet, fmt.Sprintf("/schemas/ids/%d", id), nil, &out)
	return out.Schema, err
}

// Versions lists the version numbers of subject.
func (c *Client) Versions(ctx context.Context, subject string) ([]int, error) {
	var out []int
	op := fmt.Sprintf("listing the versions of subject %q", subject)
	err := c.do(ctx, op, http.MethodGet, "/subjects/"+url.PathEscape(subject)+"/versions", nil, &out)
	return out, err
}

// SetCompatibility sets the compatibility level (BACKWARD, FULL, NONE, ...)
// of subject.
func (c *Client) SetCompatibility(ctx context.Context, subject, level string) error {
	op := fmt.Sprintf("setting the compatibility of subject %q", subject)
	return c.do(ctx, op, http.MethodPut, "/config/"+url.PathEscape(subject), map[string]string{"compatibility": level}, nil)
}
