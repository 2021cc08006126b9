package main

import (
	"errors"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
)

// The Vitess tests' statements wait out a row lock another session holds
// (as a transaction a failed writer's statement left open does): the
// statement fails with error 1205 until the lock goes, then runs once; with
// no time left the error comes back.
func TestExecWaitsOutLockTimeouts(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	d.exec("INSERT INTO t VALUES (1, 0)")
	conn := func() *client.Conn {
		c, err := client.Connect(e.mysqlAddr, "root", e.rootPass, d.name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	holder, waiter := conn(), conn()
	must := func(c *client.Conn, q string) {
		t.Helper()
		if _, err := c.Execute(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	must(waiter, "SET SESSION innodb_lock_wait_timeout = 1")
	must(holder, "BEGIN")
	must(holder, "UPDATE t SET v = 10 WHERE id = 1")
	released := make(chan error, 1)
	go func() {
		time.Sleep(3 * time.Second)
		_, err := holder.Execute("COMMIT")
		released <- err
	}()
	if err := execWaitingForLocks(waiter, "UPDATE t SET v = v + 1 WHERE id = 1", time.Minute); err != nil {
		t.Fatalf("the statement did not run once the lock was released: %v", err)
	}
	if err := <-released; err != nil {
		t.Fatal(err)
	}
	if v := d.exec("SELECT v FROM t WHERE id = 1"); v.Values[0][0].AsInt64() != 11 {
		t.Errorf("v = %d, want 11 (the holder's 10, then the waiter's statement once)", v.Values[0][0].AsInt64())
	}
	must(holder, "BEGIN")
	must(holder, "UPDATE t SET v = 20 WHERE id = 1")
	err := execWaitingForLocks(waiter, "UPDATE t SET v = v + 1 WHERE id = 1", 0)
	var me *gmysql.MyError
	if !errors.As(err, &me) || me.Code != gmysql.ER_LOCK_WAIT_TIMEOUT {
		t.Errorf("with no time to wait: %v, want error 1205", err)
	}
	must(holder, "ROLLBACK")
}
