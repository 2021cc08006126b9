package connector

import "sync"

// Group counts a daemon's live tasks (running or paused). A failed task
// waits in its group for a restart while another task of the daemon is
// live, as Kafka Connect keeps a worker with a FAILED task up; once none is
// (each has failed or stopped), Done closes and the failed tasks return
// their errors, so the daemon exits and its supervisor restarts it.
type Group struct {
	mu   sync.Mutex
	live int
	done chan struct{}
}

// NewGroup returns an empty group.
func NewGroup() *Group { return &Group{done: make(chan struct{})} }

// Done is closed once the group has had a task and none is live.
func (g *Group) Done() <-chan struct{} { return g.done }

// join counts a task live; false once Done is closed.
func (g *Group) join() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.done:
		return false
	default:
	}
	g.live++
	return true
}

// leave counts a task no longer live.
func (g *Group) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.live--
	if g.live == 0 {
		close(g.done)
	}
}
