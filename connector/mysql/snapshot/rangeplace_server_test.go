package snapshot

import (
	"cmp"
	"context"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"

	"github.com/go-mysql-org/go-mysql/client"
)

// Against the real server: a table keyed by each type the ranges split is
// planned into ranges (of about 150 of its 3,000 rows), each range read with
// its SELECT, and every row the server returns for a range is placed by
// Sluice in that same range; no row is read twice or left out. Keys are
// random, with edges: zero and partial dates (below the bounds' years),
// leap days, negative DECIMALs, TIMEs and floats, ones past the int64s,
// fractions, and keys close together about bounds.
func TestRangesSplitAsTheServer(t *testing.T) {
	const db = "rangeplace_test"
	s, _ := streamRig(t, db, 1)
	s.snap.ChunkRows = 150
	admin, err := client.Connect(os.Getenv("SLUICE_TEST_MYSQL_ADDR"), "root", os.Getenv("SLUICE_TEST_MYSQL_ROOT_PASSWORD"), db)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	// Zero and partial dates are kept as written.
	if _, err := admin.Execute("SET SESSION sql_mode = '', time_zone = '+00:00'"); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(3))
	clock := func() string {
		switch rng.Intn(12) {
		case 0:
			return "0000-00-00 00:00:00"
		case 1:
			return fmt.Sprintf("%04d-00-%02d 10:00:00", 1990+rng.Intn(30), rng.Intn(29))
		case 2:
			return fmt.Sprintf("%04d-02-29 23:59:59.%06d", 2000+4*rng.Intn(7), rng.Intn(1_000_000))
		}
		return fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d.%06d", 1971+rng.Intn(60), 1+rng.Intn(12), 1+rng.Intn(28),
			rng.Intn(24), rng.Intn(60), rng.Intn(60), rng.Intn(1_000_000))
	}
	decimal := func(intDigits int) string {
		d := fmt.Sprintf("%d.%03d", rng.Int63n(1_000_000_000), rng.Intn(1000))
		if intDigits > 18 && rng.Intn(10) == 0 {
			d = strings.Repeat("9", intDigits-1) + ".5" // past the int64s
		}
		if rng.Intn(3) == 0 {
			d = "-" + d
		}
		return d
	}
	for i, c := range []struct {
		typ  string
		kind keyKind
		key  func() string
	}{
		{"DATETIME(6)", keyDatetime, clock},
		{"DATETIME", keyDatetime, clock},
		{"DATE", keyDate, func() string { return clock()[:10] }},
		{"TIMESTAMP(3)", keyTimestamp, func() string {
			if rng.Intn(12) == 0 {
				return "0000-00-00 00:00:00"
			}
			return fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d.%03d", 1971+rng.Intn(60), 1+rng.Intn(12), 1+rng.Intn(28),
				rng.Intn(24), rng.Intn(60), rng.Intn(60), rng.Intn(1000))
		}},
		{"DECIMAL(12,3)", keyDecimal, func() string { return decimal(9) }},
		{"DECIMAL(30,3)", keyDecimal, func() string { return decimal(27) }},
		// Keys close together, so that many fall just either side of a
		// bound: fractions of a second about a leap day's midnight, days
		// about it (and the month's day 0), DECIMALs about integers.
		{"DATETIME(6)", keyDatetime, func() string {
			if rng.Intn(2) == 0 {
				return fmt.Sprintf("2024-02-29 23:59:%02d.%06d", 30+rng.Intn(30), rng.Intn(1_000_000))
			}
			return fmt.Sprintf("2024-03-01 00:00:%02d.%06d", rng.Intn(30), rng.Intn(1_000_000))
		}},
		{"DATE", keyDate, func() string { return fmt.Sprintf("2024-%02d-%02d", 2+rng.Intn(2), rng.Intn(30)) }},
		{"DECIMAL(6,3)", keyDecimal, func() string { return fmt.Sprintf("%.3f", rng.Float64()*100-50) }},
		{"TIME(3)", keyTime, func() string {
			return fmt.Sprintf("%d:%02d:%02d.%03d", rng.Intn(1677)-838, rng.Intn(60), rng.Intn(60), rng.Intn(1000))
		}},
		{"TIME(6)", keyTime, func() string {
			return fmt.Sprintf("%s00:00:%02d.%06d", []string{"", "-"}[rng.Intn(2)], rng.Intn(60), rng.Intn(1_000_000))
		}},
		{"DOUBLE", keyFloat, func() string { return fmt.Sprint(rng.NormFloat64() * 1e3) }},
		{"FLOAT", keyFloat, func() string {
			if rng.Intn(20) == 0 {
				return "-1e30" // past the int64s
			}
			return fmt.Sprint(rng.Float32()*100 - 50)
		}},
		{"YEAR", keyInteger, func() string { return fmt.Sprint(1901 + rng.Intn(255)) }},
		// Character keys of each order: mixed case, punctuation, trailing
		// spaces, shared prefixes, and some keys not of printable ASCII
		// (accents, a tab), which the range of their own reads.
		{"VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci", keyCharGeneral, charKey(rng)},
		{"CHAR(36) CHARACTER SET latin1 COLLATE latin1_swedish_ci", keyCharGeneral, func() string { return uuidText(rng) }},
		{"VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", keyCharBinary, charKey(rng)},
		{"VARCHAR(40) CHARACTER SET latin1 COLLATE latin1_bin", keyCharBinary, charKey(rng)},
		{"VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", keyCharUnicode, charKey(rng)},
		{"VARCHAR(40) CHARACTER SET utf8mb3 COLLATE utf8mb3_unicode_520_ci", keyCharUnicode, charKey(rng)},
		{"VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_ai_ci", keyCharUCA1400, charKey(rng)},
	} {
		name := fmt.Sprintf("k%d", i) // a table of its own: the Snapshotter keeps what it learnt of each
		t.Run(c.typ, func(t *testing.T) {
			for _, q := range []string{"CREATE TABLE " + name + " (k " + c.typ + " NOT NULL, id INT NOT NULL, PRIMARY KEY (k, id))"} {
				if _, err := admin.Execute(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			const rows = 3000
			var vals []string
			for i := range rows {
				vals = append(vals, fmt.Sprintf("('%s', %d)", sqlEscape.Replace(c.key()), i))
			}
			for _, q := range []string{"INSERT INTO " + name + " VALUES " + strings.Join(vals, ", "), "ANALYZE TABLE " + name} {
				if _, err := admin.Execute(q); err != nil {
					t.Fatalf("%.200s: %v", q, err)
				}
			}
			checkRangesSplit(t, s, db+"."+name, c.kind, rows)
		})
	}
}

// checkRangesSplit plans table's ranges as a new snapshot does, reads
// each, and checks every row against its range by Sluice's placement.
func checkRangesSplit(t *testing.T, s *Snapshotter, table string, kind keyKind, rows int) {
	t.Helper()
	ctx := context.Background()
	tbl, err := s.prepareTable(ctx, table)
	if err != nil || tbl == nil {
		t.Fatalf("preparing %s: %v", table, err)
	}
	if tbl.keyCol == "" || tbl.keyKind != kind {
		t.Fatalf("%s is read with key %q of kind %q, want kind %q", table, tbl.keyCol, tbl.keyKind, kind)
	}
	jobs, err := s.planChunks(ctx, &State{}, []*snapTable{tbl})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) < 5 {
		t.Fatalf("%d ranges planned for %d rows, want about %d", len(jobs), rows, rows/s.snap.ChunkRows)
	}
	conn, err := s.connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	seen := map[int64]bool{}
	unplaced := 0
	for _, j := range jobs {
		read := make(chan error, 1)
		go func() { read <- s.readChunk(ctx, conn, j) }()
		if res := <-j.done; res.err != nil {
			t.Fatal(res.err)
		}
		for b := range j.stream {
			for _, row := range b {
				place := rangeInt(tbl.table, tbl.pk, row, kind)
				if place != nil && *place == -1 && charOrders[kind] != nil {
					unplaced++ // the range of keys not of printable ASCII
				}
				if place == nil || j.lo != nil && *place < *j.lo || j.hi != nil && *place >= *j.hi {
					t.Errorf("key %v (%T) read in the range [%s, %s) is placed at %s", row[0], row[0], bound(kind, j.lo), bound(kind, j.hi), bound(kind, place))
				}
				id := row[1].(int64)
				if seen[id] {
					t.Errorf("row %d (key %v) read twice", id, row[0])
				}
				seen[id] = true
			}
		}
		if err := <-read; err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != rows {
		t.Errorf("%d rows read in %d ranges, want %d", len(seen), len(jobs), rows)
	}
	t.Logf("%d rows in %d ranges, %d not of printable ASCII", len(seen), len(jobs), unplaced)
}

var sqlEscape = strings.NewReplacer(`\`, `\\`, `'`, `\'`)

// charKey makes character keys: mostly printable ASCII of a few
// characters (so that many share prefixes), in both cases, some with
// trailing spaces, a few with an accent (or a letter a _ci REGEXP takes for
// ASCII) or a tab.
func charKey(rng *rand.Rand) func() string {
	const alphabet = "aAbBcC _-~`^[\\]'\"0z9.!"
	return func() string {
		b := make([]byte, 1+rng.Intn(14))
		for i := range b {
			b[i] = alphabet[rng.Intn(len(alphabet))]
		}
		switch rng.Intn(20) {
		case 0:
			return string(b) + "  "
		case 1:
			// An accent, a long s and a Kelvin sign: the last two match
			// [ -~] under a _ci collation's REGEXP, as an s and a K.
			return string(b[:len(b)/2]) + []string{"\u00e9", "\u017f", "\u212a"}[rng.Intn(3)] + string(b[len(b)/2:])
		case 2:
			return string(b) + "\tx"
		}
		return string(b)
	}
}

func uuidText(rng *rand.Rand) string {
	var b [16]byte
	rng.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// The orders of printable ASCII that place character keys are the
// server's: for each collation of charKinds, every two characters compare
// by their weights (WEIGHT_STRING) as by their ranks, and the collation
// pads with spaces.
func TestCharOrdersAsTheServer(t *testing.T) {
	const db = "charorder_test"
	streamRig(t, db, 1)
	admin, err := client.Connect(os.Getenv("SLUICE_TEST_MYSQL_ADDR"), "root", os.Getenv("SLUICE_TEST_MYSQL_ROOT_PASSWORD"), db)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for coll, kind := range charKinds {
		o := charOrders[kind]
		cs, _, _ := strings.Cut(coll, "_")
		r, err := admin.Execute(fmt.Sprintf("SELECT seq, WEIGHT_STRING(CONVERT(CHAR(seq USING latin1) USING %s) COLLATE %s), "+
			"_%[1]s'a' = _%[1]s'a  ' COLLATE %[2]s FROM seq_32_to_126", cs, coll))
		if err != nil {
			t.Fatalf("%s: %v", coll, err)
		}
		weights := map[byte]string{}
		for i := range r.RowNumber() {
			c, _ := r.GetInt(i, 0)
			w, _ := r.GetString(i, 1)
			if pad, _ := r.GetInt(i, 2); pad != 1 {
				t.Errorf("%s: 'a' and 'a  ' differ: not PAD SPACE", coll)
			}
			weights[byte(c)] = w
		}
		for a := byte(' '); a <= '~'; a++ {
			if o.rank[a] == noRank {
				t.Fatalf("%s: %q has no rank", coll, a)
			}
			for b := byte(' '); b <= '~'; b++ {
				server := strings.Compare(weights[a], weights[b])
				ours := cmp.Compare(o.rank[a], o.rank[b])
				if server != ours {
					t.Errorf("%s: %q against %q: the server %d, Sluice's ranks %d", coll, a, b, server, ours)
				}
			}
		}
	}
}

func bound(k keyKind, b *int64) string {
	if b == nil {
		return "-"
	}
	return k.literal(*b)
}
