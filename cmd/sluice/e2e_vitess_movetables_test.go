package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// MoveTables moves a table from keyspace mt_source to mt_target (both
// unsharded, added to the vitess-cluster.sh cluster by its add-keyspace
// command) under a writer, with one Sluice connector following each
// keyspace. What VTGate does (Vitess v24, seen on this cluster):
//   - the target keyspace's VStream carries the workflow's CREATE TABLE,
//     then the copy's inserts as ordinary row events (op c), then the
//     changes replicated from the source, then, after SwitchTraffic, the
//     writes made there;
//   - the source keyspace's VStream has no journal (VTGate drops a
//     MigrationType TABLES journal: "We cannot support table migrations
//     yet") and its VGTID stays in its keyspace; after SwitchTraffic the
//     reverse workflow replicates the target's writes back, so the source
//     table's changes go on there, in order, until MoveTables complete
//     drops it.
//
// Both topics rebuild the table as it ends up, per-key order kept, and
// each stored VGTID names its own keyspace only.
func TestVitessMoveTables(t *testing.T) {
	c := needVtCluster(t)
	const src, dst = "mt_source", "mt_target"
	for ks, uid := range map[string]string{src: "400", dst: "500"} {
		if len(c.servingShards(t, ks)) == 0 {
			c.script(t, "keyspace "+ks+" is not served", "add-keyspace", ks, uid)
		}
		if sh := c.servingShards(t, ks); !slices.Equal(sh, []string{ks + "/0"}) {
			t.Fatalf("keyspace %s: VTGate serves %v, want %s/0", ks, sh, ks)
		}
	}
	const rows = 2000
	srcEnv, dstEnv := c.vtEnv, c.vtEnv
	srcEnv.keyspace, dstEnv.keyspace = src, dst
	tb := newRowsTable(t, srcEnv, "m", rows)

	// One connector per keyspace; the target's captures every table of
	// its keyspace (the moved one does not exist there yet).
	prefix := "vm" + tb.name
	nameS, nameT := "s-"+tb.name, "t-"+tb.name
	cfgS := tb.connector(prefix, nil)
	cfgT := tb.connector(prefix, map[string]string{"vitess.keyspace": dst})
	delete(cfgT, "table.include.list")
	slS := startVitess(t, srcEnv, nameS, cfgS)
	slT := startVitess(t, dstEnv, nameT, cfgT)
	fS := followTopic(t, c.kafka, prefix+"."+src+"."+tb.name, false)
	var w *vtWriter
	// The target's connector is killed -9 during the workflow's copy,
	// right after the switch and after complete: its topic may repeat
	// changes (never lose or reorder one); the source's runs throughout
	// and must have each change once.
	fT := followTopic(t, c.kafka, prefix+"."+dst+"."+tb.name, true)
	killT := func(when string) {
		slT = kill9Restart(t, c.kafka, slT, dstEnv, nameT, prefix, cfgT, fmt.Sprintf("%s after %d writes", when, w.wrote.Load()))
	}
	w = startWriter(c.mysql, src, tb.name, rows)
	for deadline := time.Now().Add(60 * time.Second); fS.seen() < rows && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
	}
	if fS.seen() < rows {
		t.Fatalf("the copy phase wrote only %d records in 60 s", fS.seen())
	}
	// An empty target keyspace has nothing to copy (VTGate would refuse
	// the copy): its connector streams from the current position.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if l := slT.Stderr.String(); strings.Contains(l, "no table to copy; streaming from the current position") || strings.Contains(l, "VTGate's copy phase completed") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the target keyspace's connector did not start streaming:\n%s", tail(slT.Stderr.String(), 3000))
		}
	}

	wf := "mv" + tb.name
	mt := func(args ...string) string {
		return c.vtctl(t, append([]string{"MoveTables", "--workflow", wf, "--target-keyspace", dst}, args...)...)
	}
	atCreate, writesAtCreate := len(rowsIn(t, c, src, tb.name)), w.wrote.Load()
	t.Log(mt("create", "--source-keyspace", src, "--tables", tb.name))
	killT("during the workflow's copy (" + strings.Join(strings.Fields(mt("status")), " ") + ")")
	for deadline := time.Now().Add(2 * time.Minute); ; {
		st := mt("status")
		if strings.Contains(st, "Status: Running") && !strings.Contains(st, "Copying") {
			t.Logf("workflow copied: %s", st)
			break
		}
		if strings.Contains(st, "Error") || time.Now().After(deadline) {
			t.Fatalf("MoveTables did not finish its copy: %s\n%s", st, mt("show"))
		}
		time.Sleep(time.Second)
	}
	time.Sleep(2 * time.Second) // writes replicated to the target
	beforeSwitch := w.wrote.Load()
	// The workflow's copy reaches the target's topic before the switch, as
	// inserts (each write since the create deletes one row at most). The
	// connector restarted during the copy may still be catching up: a
	// race-built daemon on a loaded CI machine once had written nothing
	// 3 s after the copy ended.
	least := int64(atCreate) - (w.wrote.Load() - writesAtCreate)
	for deadline := time.Now().Add(60 * time.Second); int64(fT.seen()) < least && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
	}
	if n := int64(fT.seen()); n < least {
		t.Errorf("60 s after the workflow's copy the target's topic has %d records; the workflow copied at least %d rows", n, least)
	}
	t.Log(mt("switchtraffic"))
	killT("right after the switch")
	w.atLeast(beforeSwitch, 200, 90*time.Second) // writes go to the target (routing rules), and back to the source (reverse workflow)
	w.end(t)
	t.Logf("%d writes, %d after the switch", w.wrote.Load(), w.wrote.Load()-beforeSwitch)
	if w.wrote.Load()-beforeSwitch < 50 {
		t.Errorf("only %d writes after the switch", w.wrote.Load()-beforeSwitch)
	}
	want := rowsIn(t, c, dst, tb.name)
	fS.check(t, "source keyspace "+src, want, 90*time.Second)
	fT.check(t, "target keyspace "+dst, want, 90*time.Second)

	// complete drops the source table: its connector goes on (one DDL),
	// the target's keeps the moved table's changes coming.
	t.Log(mt("complete"))
	killT("after complete")
	tbT := newVtTableConn(t, dstEnv, tb.name)
	tbT.must(t, "UPDATE "+tb.name+" SET v = v + 1 WHERE id BETWEEN 1 AND 20")
	fT.check(t, "target keyspace after complete", rowsIn(t, c, dst, tb.name), 60*time.Second)
	for _, sl := range []*daemon{slS, slT} {
		select {
		case <-sl.Done:
			t.Errorf("a connector exited after MoveTables complete: %v\n%s", sl.Err, tail(sl.Stderr.String(), 3000))
		default:
		}
		sl.Stop()
	}
	for name, ks := range map[string]string{nameS: src, nameT: dst} {
		val, shards := storedShards(t, c.kafka, name, prefix)
		if !slices.Equal(shards, []string{ks + "/0"}) {
			t.Errorf("connector %s stored %s: shards %v, want %s/0 only", name, val, shards, ks)
		}
	}
	// Both start again from their stored VGTIDs (the source's keyspace no
	// longer has the table).
	for name, cfg := range map[string]map[string]string{nameS: cfgS, nameT: cfgT} {
		sl := startVitess(t, c.vtEnv, name, cfg)
		sl.WaitLog("resuming from stored offset", 30*time.Second)
		time.Sleep(2 * time.Second)
		select {
		case <-sl.Done:
			t.Errorf("%s did not resume: %v\n%s", name, sl.Err, tail(sl.Stderr.String(), 3000))
		default:
			sl.Stop()
		}
	}
}

// rowsIn reads keyspace.table as vtTable.rows does.
func rowsIn(t *testing.T, c vtCluster, ks, table string) map[int64]string {
	t.Helper()
	e := c.vtEnv
	e.keyspace = ks
	return newVtTableConn(t, e, table).rows(t)
}
