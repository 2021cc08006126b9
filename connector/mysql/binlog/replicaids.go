package binlog

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// Two replicas with one server id on one server take each other's binlog
// dump: the server drops the older registration. Reconnecting under the
// same id would drop the other one in turn, and the two would take turns
// forever, neither reading on (as two connectors with one id did). With an
// id the user chose, the stream stops there with an error naming
// database.server.id, as Debezium's task stops. With a random one (the
// property left out: an id nobody chose, so nobody meant it to be shared)
// the stream draws another and reconnects, and the other replica, which
// may be a Debezium connector or a real replica server, keeps its id.

// replaced reports the error a dump receives when a newer registration
// with its server id replaces it: MariaDB's ER_SLAVE_SAME_ID (4052);
// MySQL ends the dump with 1236 and a message saying so, which Classify
// would otherwise take for a purged position.
func (s *Streamer) replaced(err error) bool {
	var me *gmysql.MyError
	if !errors.As(err, &me) {
		return false
	}
	if s.cfg.Proto() == "mariadb" {
		return me.Code == 4052
	}
	return me.Code == gmysql.ER_MASTER_FATAL_ERROR_READING_BINLOG && strings.Contains(me.Message, "same server_uuid/server_id")
}

// moveReplicaID answers a dump replaced by another replica's registration
// (err): a definite failure for a chosen id, or a reconnect under another
// random id.
func (s *Streamer) moveReplicaID(err error) error {
	if !s.cfg.ServerIDRandom {
		return fault.Definite(fmt.Errorf("%w; another replica (a connector, Debezium or a replica server) registered with this connector's database.server.id, and the server keeps one binlog dump per id: give each connector its own database.server.id", err))
	}
	old := s.replicaID
	s.replicaID = replicaIDs.another(s.cfg.Addr(), old)
	s.log.Warn("another replica registered with this connector's random replica id and the server dropped this connector's binlog dump; reconnecting under another random id (set database.server.id to give the connector an id of its own)",
		zap.Uint32("replica_id", old), zap.Uint32("new_replica_id", s.replicaID), zap.Error(err))
	return err
}

// replicaIDs are the replica ids this process's streams hold, by server
// address, so that a stream moving to another random id does not take a
// running sibling's (which, if chosen by the user, would stop it).
var replicaIDs = &replicaIDSet{held: map[string]map[uint32]int{}}

type replicaIDSet struct {
	mu   sync.Mutex
	held map[string]map[uint32]int
}

// The range a random id is drawn from, as config draws it.
const randomIDLow, randomIDCount = config.RandomServerIDLow, config.RandomServerIDCount

func (r *replicaIDSet) hold(addr string, id uint32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.holdLocked(addr, id)
}

func (r *replicaIDSet) release(addr string, id uint32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.releaseLocked(addr, id)
}

// another releases old and holds a random id of the range that is neither
// old nor held by another stream of addr (old itself when the range is
// used up, which a thousand streams on one server would take), all under
// one lock, so that two streams moving at once do not draw the same.
func (r *replicaIDSet) another(addr string, old uint32) uint32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.releaseLocked(addr, old)
	var free []uint32
	for id := uint32(randomIDLow); id < randomIDLow+randomIDCount; id++ {
		if id != old && r.held[addr][id] == 0 {
			free = append(free, id)
		}
	}
	id := old
	if len(free) > 0 {
		id = free[rand.IntN(len(free))]
	}
	r.holdLocked(addr, id)
	return id
}

func (r *replicaIDSet) holdLocked(addr string, id uint32) {
	if r.held[addr] == nil {
		r.held[addr] = map[uint32]int{}
	}
	r.held[addr][id]++
}

func (r *replicaIDSet) releaseLocked(addr string, id uint32) {
	m := r.held[addr]
	if m == nil {
		return
	}
	if m[id]--; m[id] <= 0 {
		delete(m, id)
	}
}
