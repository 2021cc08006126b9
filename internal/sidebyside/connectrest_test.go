package sidebyside

import (
	"net/http"
	"sync"
	"time"
)

// connectMu serialises the REST calls that change a Kafka Connect
// connector's state. Kafka Connect 4.1.2 in standalone mode deadlocks on
// a resume of one connector racing a stop of another (the resume holds
// the config store's lock and waits for the herder's, the stop the other
// way round; seen in a CI rehearsal, jstack "Found one Java-level
// deadlock"), and the switch-over subtests run in parallel.
var connectMu sync.Mutex

// connectClient bounds each call, so that a worker that stops answering
// fails the test with the call named instead of hanging it.
var connectClient = &http.Client{Timeout: 2 * time.Minute}

// connectDo sends a state-changing request to the worker, one at a time.
func connectDo(req *http.Request) (*http.Response, error) {
	connectMu.Lock()
	defer connectMu.Unlock()
	return connectClient.Do(req)
}
