package ddl

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// This file understands the statements the binlog carries as QUERY events
// well enough to know which tables they touch and how: created, altered,
// renamed, dropped or truncated. It does not need the column definitions,
// because every row is decoded with the structure its TABLE_MAP event
// describes; what a DDL changes matters for schema change events, truncate
// events and for forgetting cached table versions.
//
// It is a small tokenizer and a parser for the heads of statements rather
// than a SQL grammar: TiDB's parser (already in go-mysql's module graph)
// rejects common MariaDB syntax such as CREATE OR REPLACE TABLE, ALTER
// ONLINE TABLE, WAIT n, WITH SYSTEM VERSIONING, INVISIBLE columns and the
// INET6 and UUID types, and a connector must not stop on a valid statement.

// Kind says what a statement does to the schema.
type Kind uint8

const (
	// Ignore: no effect on table structures and, as in Debezium's
	// default schema.history.internal.ddl.filter, no schema change event:
	// DML logged as a statement, account and privilege statements, views,
	// routines, triggers, ANALYZE/OPTIMIZE/REPAIR, savepoints, XA.
	Ignore Kind = iota
	// Other: understood, changes no table (events, servers, sequences,
	// plugins, FLUSH, SET); Debezium records it as a database-level
	// schema change event of the statement's default database.
	Other
	// Database: CREATE, ALTER or DROP DATABASE; a database-level schema
	// change event of the named database.
	Database
	// Tables: the statement creates, alters, renames, drops or
	// truncates the tables in Changes.
	Tables
)

// ChangeKind is what happens to one table.
type ChangeKind uint8

const (
	Create ChangeKind = iota + 1
	Alter
	Rename // Table is the new name, From the old one
	Drop
	Truncate
)

func (k ChangeKind) String() string {
	switch k {
	case Create:
		return "CREATE"
	case Alter, Rename:
		return "ALTER"
	case Drop:
		return "DROP"
	case Truncate:
		return "TRUNCATE"
	}
	return "unknown"
}

// TableName is a database-qualified table name as the server stores it.
type TableName struct{ DB, Table string }

func (n TableName) String() string { return n.DB + "." + n.Table }

// Quoted is the name as Debezium writes it in DDL it rebuilds: `db`.`t`.
func (n TableName) Quoted() string {
	q := func(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }
	return q(n.DB) + "." + q(n.Table)
}

// TableChange is one table a statement touches.
type TableChange struct {
	Kind  ChangeKind
	Table TableName
	From  TableName // Rename only
	// DDL is the statement text Debezium records for this table: the
	// whole statement, or for DROP TABLE and RENAME TABLE with several
	// tables the part that concerns this one ("DROP TABLE `db`.`t`").
	DDL string
}

// Statement is what Parse learned from one QUERY event.
type Statement struct {
	Kind     Kind
	Text     string // the statement without leading and trailing comments
	Database string // Database: the database it names
	Changes  []TableChange
	DML      bool // Ignore because it is DML logged as a statement
	// Index is CREATE INDEX or DROP INDEX: Debezium's schema change event
	// for one names no table and carries no table change, though the
	// statement changes the table's structure (the model applies it).
	Index bool

	// What Model.Apply reads, so that a statement is tokenized once: the
	// statement, its tokens after any SET STATEMENT ... FOR, its default
	// database and whether a backslash escapes in its strings.
	sql       string
	toks      []token
	defaultDB string
	backslash bool
}

// ErrUnparseable marks statements Parse cannot understand.
var ErrUnparseable = errors.New("unparseable DDL")

// Parse classifies one statement of a QUERY event; defaultDB is the
// event's default database (QueryEvent.Schema), used for unqualified names,
// and noBackslashEscapes the statement's sql_mode flag of that name. An error wraps ErrUnparseable and says what
// was not understood.
func Parse(sql, defaultDB string, noBackslashEscapes bool) (*Statement, error) {
	toks, err := tokenize(sql, !noBackslashEscapes)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnparseable, err)
	}
	p := &ddlParser{sql: sql, toks: toks, defaultDB: defaultDB}
	st, err := p.statement()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnparseable, err)
	}
	st.sql, st.toks, st.defaultDB, st.backslash = sql, p.toks, defaultDB, !noBackslashEscapes
	return st, nil
}

// Tokens.

type tokKind uint8

const (
	tokWord   tokKind = iota + 1 // keyword or unquoted identifier (also numbers)
	tokIdent                     // `quoted identifier`, text unescaped
	tokString                    // 'string' or "string", text unescaped
	tokPunct                     // one character: ( ) , . ; = @ and others
)

type token struct {
	kind       tokKind
	text       string
	quote      byte // tokString: ' or "
	start, end int  // byte offsets in the statement
	depth      int  // parenthesis depth the token is at
	exec       bool // inside an executable comment
}

// tokenize splits a statement into tokens, dropping comments. The content
// of executable comments (/*! ... */, /*!50100 ... */, /*M! ... */) is
// kept: the server runs it (MariaDB logs the ones it skips as plain
// comments). backslash says whether a backslash escapes in strings.
func tokenize(s string, backslash bool) ([]token, error) {
	var toks []token
	depth := 0
	inExec := false // inside an executable comment, whose */ is dropped
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '-' && i+1 < len(s) && s[i+1] == '-' && (i+2 == len(s) || s[i+2] <= ' '):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			j := i + 2
			if j < len(s) && s[j] == '!' || strings.HasPrefix(s[j:], "M!") {
				if inExec {
					return nil, fmt.Errorf("nested executable comment at byte %d", i)
				}
				j += strings.IndexByte(s[j:], '!') + 1
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					j++
				}
				inExec = true
				i = j
				continue
			}
			end := strings.Index(s[j:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("unterminated comment at byte %d", i)
			}
			i = j + end + 2
		case c == '*' && inExec && i+1 < len(s) && s[i+1] == '/':
			inExec = false
			i += 2
		case c == '`':
			text, n, ok := quotedText(s[i:], '`', false)
			if !ok {
				return nil, fmt.Errorf("unterminated quoted identifier at byte %d", i)
			}
			toks = append(toks, token{kind: tokIdent, text: text, start: i, end: i + n, depth: depth, exec: inExec})
			i += n
		case c == '\'' || c == '"':
			text, n, ok := quotedText(s[i:], c, backslash)
			if !ok {
				return nil, fmt.Errorf("unterminated string at byte %d", i)
			}
			toks = append(toks, token{kind: tokString, text: text, quote: c, start: i, end: i + n, depth: depth, exec: inExec})
			i += n
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			toks = append(toks, token{kind: tokWord, text: s[i:j], start: i, end: j, depth: depth, exec: inExec})
			i = j
		default:
			if c == ')' {
				depth--
				if depth < 0 {
					return nil, fmt.Errorf("unbalanced ')' at byte %d", i)
				}
			}
			_, n := utf8.DecodeRuneInString(s[i:])
			toks = append(toks, token{kind: tokPunct, text: s[i : i+n], start: i, end: i + n, depth: depth, exec: inExec})
			if c == '(' {
				depth++
			}
			i += n
		}
	}
	if depth != 0 {
		return nil, errors.New("unbalanced '('")
	}
	return toks, nil
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80
}

// quotedText reads a quoted token at the start of s: a doubled quote stands
// for one, and in strings a backslash escapes the next character.
func quotedText(s string, q byte, backslash bool) (text string, n int, ok bool) {
	var sb strings.Builder
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == q && i+1 < len(s) && s[i+1] == q:
			sb.WriteByte(q)
			i++
		case s[i] == q:
			return sb.String(), i + 1, true
		case backslash && s[i] == '\\' && i+1 < len(s):
			i++
			sb.WriteByte(unescape(s[i]))
		default:
			sb.WriteByte(s[i])
		}
	}
	return "", 0, false
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 't':
		return '\t'
	case 'r':
		return '\r'
	case '0':
		return 0
	case 'b':
		return '\b'
	case 'Z':
		return 26
	}
	return c
}

// Parser.

type ddlParser struct {
	sql       string
	toks      []token
	pos       int
	defaultDB string
	start     int // index of the statement's first token after SET STATEMENT ... FOR
}

func (p *ddlParser) peek(off int) *token {
	if p.pos+off < len(p.toks) {
		return &p.toks[p.pos+off]
	}
	return nil
}

// is reports whether the next tokens are the given keywords.
func (p *ddlParser) is(words ...string) bool {
	for i, w := range words {
		t := p.peek(i)
		if t == nil || t.kind != tokWord || !strings.EqualFold(t.text, w) {
			return false
		}
	}
	return true
}

// accept consumes the keywords when they come next.
func (p *ddlParser) accept(words ...string) bool {
	if p.is(words...) {
		p.pos += len(words)
		return true
	}
	return false
}

func (p *ddlParser) acceptPunct(s string) bool {
	if t := p.peek(0); t != nil && t.kind == tokPunct && t.text == s {
		p.pos++
		return true
	}
	return false
}

func (p *ddlParser) expect(words ...string) error {
	if p.accept(words...) {
		return nil
	}
	return fmt.Errorf("expected %s %s", strings.Join(words, " "), p.where())
}

// where describes the current position for messages.
func (p *ddlParser) where() string {
	t := p.peek(0)
	if t == nil {
		return "at the end of the statement"
	}
	near := p.sql[t.start:]
	if len(near) > 40 {
		near = near[:40] + "…"
	}
	return fmt.Sprintf("near %q", near)
}

// ident reads one identifier: a word, a `quoted` name, or (ANSI_QUOTES) a
// "double-quoted" one.
func (p *ddlParser) ident() (string, error) {
	t := p.peek(0)
	if t == nil {
		return "", fmt.Errorf("expected a name %s", p.where())
	}
	switch {
	case t.kind == tokWord, t.kind == tokIdent, t.kind == tokString && t.quote == '"':
		p.pos++
		return t.text, nil
	}
	return "", fmt.Errorf("expected a name %s", p.where())
}

// TableName reads [db.]table and qualifies it with the default database.
func (p *ddlParser) qualifiedName() (TableName, error) {
	first, err := p.ident()
	if err != nil {
		return TableName{}, err
	}
	if p.acceptPunct(".") {
		second, err := p.ident()
		if err != nil {
			return TableName{}, err
		}
		return TableName{DB: first, Table: second}, nil
	}
	if p.defaultDB == "" {
		return TableName{}, fmt.Errorf("table %q is not qualified with a database and the statement has no default database", first)
	}
	return TableName{DB: p.defaultDB, Table: first}, nil
}

// text returns the statement from its first token to the end of its last
// one: leading and trailing comments, whitespace and a final ';' removed.
func (p *ddlParser) text() string {
	if len(p.toks) == 0 {
		return ""
	}
	last := len(p.toks) - 1
	for last > 0 && p.toks[last].kind == tokPunct && p.toks[last].text == ";" {
		last--
	}
	first, end := p.toks[0], p.toks[last].end
	// A statement that ends inside an executable comment it opened keeps
	// the comment's closing */.
	if p.toks[last].exec && !first.exec {
		if i := strings.Index(p.sql[end:], "*/"); i >= 0 {
			end += i + 2
		}
	}
	return p.sql[first.start:end]
}

// prefix returns the statement text before the current token (with the
// whitespace before it), for DDL Debezium rebuilds per table.
func (p *ddlParser) prefix() (string, error) {
	if p.pos >= len(p.toks) {
		return "", fmt.Errorf("expected a table name %s", p.where())
	}
	return p.sql[p.toks[0].start:p.toks[p.pos].start], nil
}

// Keywords that start statements with no schema effect and no schema change
// event (Debezium's default DDL filter, DML, DCL, transaction control).
var ignoredStarts = map[string]bool{
	"GRANT": true, "REVOKE": true, "ANALYZE": true, "OPTIMIZE": true, "REPAIR": true, "CHECK": true,
	"CHECKSUM": true, "SAVEPOINT": true, "RELEASE": true, "ROLLBACK": true, "XA": true, "BEGIN": true,
	"COMMIT": true, "START": true, "LOCK": true, "UNLOCK": true, "BACKUP": true, "KILL": true,
	"SHUTDOWN": true, "USE": true, "SHOW": true, "DESCRIBE": true, "EXPLAIN": true, "HELP": true,
	"RESET": true, "PURGE": true, "CHANGE": true, "STOP": true, "BINLOG": true, "PREPARE": true,
	"EXECUTE": true, "DEALLOCATE": true,
}

// dmlStarts are DML statements; in a ROW binlog they mean part of the
// binlog was written in STATEMENT or MIXED format.
var dmlStarts = map[string]bool{
	"INSERT": true, "UPDATE": true, "DELETE": true, "REPLACE": true, "LOAD": true, "CALL": true,
	"DO": true, "SELECT": true, "WITH": true, "HANDLER": true, "VALUES": true, "TABLE": true,
}

// Objects whose CREATE/ALTER/DROP Debezium's default DDL filter drops, and
// account objects, whose statements may carry credentials.
var ignoredObjects = map[string]bool{
	"VIEW": true, "FUNCTION": true, "PROCEDURE": true, "TRIGGER": true, "USER": true, "ROLE": true,
	"AGGREGATE": true,
}

// Objects that are not tables: a database-level schema change event.
var otherObjects = map[string]bool{
	"EVENT": true, "SERVER": true, "SEQUENCE": true, "PACKAGE": true, "TABLESPACE": true, "LOGFILE": true,
	"SPATIAL": true, "RESOURCE": true, "INSTANCE": true, "UNDO": true,
}

func (p *ddlParser) statement() (*Statement, error) {
	if len(p.toks) == 0 {
		return &Statement{Kind: Ignore}, nil
	}
	st := &Statement{Text: p.text()}
	// MariaDB: SET STATEMENT var=value[, ...] FOR statement.
	if p.is("SET", "STATEMENT") {
		i := p.pos + 2
		for ; i < len(p.toks); i++ {
			if t := p.toks[i]; t.depth == 0 && t.kind == tokWord && strings.EqualFold(t.text, "FOR") {
				break
			}
		}
		if i >= len(p.toks)-1 {
			return nil, errors.New("SET STATEMENT without FOR and a statement")
		}
		p.toks = p.toks[i+1:]
	}
	head := p.peek(0)
	if head.kind != tokWord {
		return nil, fmt.Errorf("a statement cannot start %s", p.where())
	}
	kw := strings.ToUpper(head.text)
	switch {
	case dmlStarts[kw]:
		st.Kind, st.DML = Ignore, true
		return st, nil
	case ignoredStarts[kw]:
		st.Kind = Ignore
		return st, nil
	}
	var err error
	switch kw {
	case "CREATE":
		err = p.create(st)
	case "ALTER":
		err = p.alter(st)
	case "DROP":
		err = p.drop(st)
	case "RENAME":
		err = p.rename(st)
	case "TRUNCATE":
		err = p.truncate(st)
	case "FLUSH":
		// FLUSH RELAY LOGS is in Debezium's DDL filter; other FLUSH
		// statements are recorded as database-level changes.
		st.Kind = Other
		if p.is("FLUSH", "RELAY", "LOGS") {
			st.Kind = Ignore
		}
	case "SET":
		st.Kind = Other
		if p.is("SET", "PASSWORD") || p.is("SET", "DEFAULT", "ROLE") || p.is("SET", "ROLE") {
			st.Kind = Ignore // credentials and roles
		}
	case "INSTALL", "UNINSTALL":
		st.Kind = Other
	default:
		return nil, fmt.Errorf("unknown statement %s", p.where())
	}
	if err != nil {
		return nil, err
	}
	return st, nil
}

// objectAfterPrefix finds the object keyword after the clauses that may
// stand between CREATE/ALTER/DROP and the object of views and routines
// (ALGORITHM=x, DEFINER=user, SQL SECURITY x, IF EXISTS). It returns the
// keyword and its index, or -1 when none follows within a few tokens.
func (p *ddlParser) objectAfterPrefix() (string, int) {
	for i := p.pos; i < len(p.toks) && i < p.pos+16; i++ {
		t := p.toks[i]
		if t.kind != tokWord {
			continue
		}
		up := strings.ToUpper(t.text)
		if ignoredObjects[up] || otherObjects[up] {
			return up, i
		}
		switch up {
		case "TABLE", "TABLES", "INDEX", "DATABASE", "SCHEMA":
			return up, i
		}
	}
	return "", -1
}

func (p *ddlParser) create(st *Statement) error {
	p.pos++ // CREATE
	p.accept("OR", "REPLACE")
	switch {
	case p.accept("TEMPORARY"):
		// Temporary tables never reach a ROW binlog's row events.
		if err := p.expect("TABLE"); err != nil {
			return err
		}
		st.Kind = Ignore
		return nil
	case p.accept("TABLE"):
		p.accept("IF", "NOT", "EXISTS")
		name, err := p.qualifiedName()
		if err != nil {
			return err
		}
		st.Kind = Tables
		st.Changes = []TableChange{{Kind: Create, Table: name, DDL: st.Text}}
		return nil
	case p.is("DATABASE"), p.is("SCHEMA"):
		p.pos++
		p.accept("IF", "NOT", "EXISTS")
		name, err := p.ident()
		if err != nil {
			return err
		}
		st.Kind, st.Database = Database, name
		return nil
	}
	// CREATE [ONLINE|OFFLINE] [UNIQUE|FULLTEXT|SPATIAL] INDEX ... ON table
	save := p.pos
	p.accept("ONLINE")
	p.accept("OFFLINE")
	if p.accept("UNIQUE") {
		p.accept("INDEX")
		p.accept("KEY")
		return p.indexOn(st)
	}
	for _, kind := range []string{"FULLTEXT", "SPATIAL", ""} {
		if (kind == "" || p.accept(kind)) && (p.accept("INDEX") || p.accept("KEY")) {
			return p.indexOn(st)
		}
		p.pos = save
		p.accept("ONLINE")
		p.accept("OFFLINE")
	}
	p.pos = save
	return p.otherObject(st, "CREATE")
}

// otherObject classifies the object a CREATE or DROP names when it is not
// a table, database or index: one Sluice ignores (routines, users, views...)
// or one that is DDL without table changes (sequences, events...).
func (p *ddlParser) otherObject(st *Statement, verb string) error {
	obj, at := p.objectAfterPrefix()
	switch {
	case at < 0:
		return fmt.Errorf("unknown object after %s %s", verb, p.where())
	case ignoredObjects[obj]:
		st.Kind = Ignore
	case otherObjects[obj]:
		st.Kind = Other
	default:
		return fmt.Errorf("unexpected %s after %s %s", obj, verb, p.where())
	}
	return nil
}

// indexOn reads "[IF NOT EXISTS] name [USING type] ON table" of CREATE INDEX
// and "[IF EXISTS] name ON table" of DROP INDEX: an ALTER of the table.
func (p *ddlParser) indexOn(st *Statement) error {
	p.accept("IF", "NOT", "EXISTS")
	p.accept("IF", "EXISTS")
	if _, err := p.ident(); err != nil {
		return err
	}
	if p.accept("USING") || p.accept("TYPE") {
		if _, err := p.ident(); err != nil {
			return err
		}
	}
	if err := p.expect("ON"); err != nil {
		return err
	}
	name, err := p.qualifiedName()
	if err != nil {
		return err
	}
	st.Kind, st.Index = Tables, true
	st.Changes = []TableChange{{Kind: Alter, Table: name, DDL: st.Text}}
	return nil
}

func (p *ddlParser) alter(st *Statement) error {
	p.pos++ // ALTER
	save := p.pos
	p.accept("ONLINE")
	p.accept("OFFLINE")
	p.accept("IGNORE")
	if p.accept("TABLE") {
		p.accept("IF", "EXISTS")
		name, err := p.qualifiedName()
		if err != nil {
			return err
		}
		st.Kind = Tables
		to, renamed, err := p.alterRename()
		if err != nil {
			return err
		}
		if renamed {
			st.Changes = []TableChange{{Kind: Rename, Table: to, From: name, DDL: st.Text}}
		} else {
			st.Changes = []TableChange{{Kind: Alter, Table: name, DDL: st.Text}}
		}
		return nil
	}
	p.pos = save
	if p.accept("DATABASE") || p.accept("SCHEMA") {
		st.Kind, st.Database = Database, p.defaultDB
		// ALTER DATABASE [name] options; the name is optional.
		if t := p.peek(0); t != nil && !p.isDatabaseOption() {
			name, err := p.ident()
			if err != nil {
				return err
			}
			st.Database = name
		}
		return nil
	}
	obj, at := p.objectAfterPrefix()
	switch {
	case at < 0:
		return fmt.Errorf("unknown object after ALTER %s", p.where())
	case ignoredObjects[obj]:
		st.Kind = Ignore
	case otherObjects[obj]:
		st.Kind = Other
	default:
		return fmt.Errorf("unexpected %s after ALTER %s", obj, p.where())
	}
	return nil
}

func (p *ddlParser) isDatabaseOption() bool {
	for _, w := range []string{"DEFAULT", "CHARACTER", "CHARSET", "COLLATE", "COMMENT", "UPGRADE", "READ", "ENCRYPTION"} {
		if p.is(w) {
			return true
		}
	}
	return false
}

// alterRename finds a "RENAME [TO|AS] name" clause among the top-level,
// comma-separated clauses of ALTER TABLE (not RENAME COLUMN/INDEX/KEY).
func (p *ddlParser) alterRename() (TableName, bool, error) {
	clauseStart := true
	for p.pos < len(p.toks) {
		t := p.toks[p.pos]
		if t.depth == 0 && t.kind == tokPunct && t.text == "," {
			clauseStart = true
			p.pos++
			continue
		}
		if clauseStart && t.depth == 0 && t.kind == tokWord && strings.EqualFold(t.text, "RENAME") {
			p.pos++
			if p.is("COLUMN") || p.is("INDEX") || p.is("KEY") || p.is("CONSTRAINT") {
				clauseStart = false
				continue
			}
			if !p.accept("TO") {
				p.accept("AS")
			}
			to, err := p.qualifiedName()
			return to, err == nil, err
		}
		clauseStart = false
		p.pos++
	}
	return TableName{}, false, nil
}

func (p *ddlParser) drop(st *Statement) error {
	p.pos++ // DROP
	if p.accept("TEMPORARY") {
		if !p.accept("TABLE") && !p.accept("TABLES") {
			return fmt.Errorf("expected TABLE %s", p.where())
		}
		st.Kind = Ignore
		return nil
	}
	if p.accept("TABLE") || p.accept("TABLES") {
		p.accept("IF", "EXISTS")
		prefix, err := p.prefix()
		if err != nil {
			return err
		}
		st.Kind = Tables
		var names []TableName
		for {
			name, err := p.qualifiedName()
			if err != nil {
				return err
			}
			names = append(names, name)
			if !p.acceptPunct(",") {
				break
			}
		}
		suffix := ""
		// WAIT n / NOWAIT (MariaDB), then RESTRICT / CASCADE.
		if p.accept("WAIT") {
			p.pos++
		}
		p.accept("NOWAIT")
		if p.is("RESTRICT") || p.is("CASCADE") {
			suffix = " " + p.peek(0).text
			p.pos++
		}
		if p.pos < len(p.toks) {
			return fmt.Errorf("unexpected %s", p.where())
		}
		for _, n := range names {
			st.Changes = append(st.Changes, TableChange{Kind: Drop, Table: n, DDL: prefix + n.Quoted() + suffix})
		}
		return nil
	}
	if p.accept("DATABASE") || p.accept("SCHEMA") {
		p.accept("IF", "EXISTS")
		name, err := p.ident()
		if err != nil {
			return err
		}
		st.Kind, st.Database = Database, name
		return nil
	}
	save := p.pos
	p.accept("ONLINE")
	p.accept("OFFLINE")
	if p.accept("INDEX") || p.accept("KEY") {
		return p.indexOn(st)
	}
	p.pos = save
	if p.is("PREPARE") {
		st.Kind = Ignore
		return nil
	}
	return p.otherObject(st, "DROP")
}

func (p *ddlParser) rename(st *Statement) error {
	p.pos++ // RENAME
	if p.accept("USER") || p.accept("ROLE") {
		st.Kind = Ignore
		return nil
	}
	if !p.accept("TABLE") && !p.accept("TABLES") {
		return fmt.Errorf("expected TABLE %s", p.where())
	}
	p.accept("IF", "EXISTS")
	prefix, err := p.prefix()
	if err != nil {
		return err
	}
	st.Kind = Tables
	for {
		clause := p.pos
		from, err := p.qualifiedName()
		if err != nil {
			return err
		}
		if p.accept("WAIT") {
			p.pos++
		}
		p.accept("NOWAIT")
		if err := p.expect("TO"); err != nil {
			return err
		}
		to, err := p.qualifiedName()
		if err != nil {
			return err
		}
		clauseText := p.sql[p.toks[clause].start:p.toks[p.pos-1].end]
		st.Changes = append(st.Changes, TableChange{Kind: Rename, Table: to, From: from, DDL: prefix + clauseText})
		if !p.acceptPunct(",") {
			break
		}
	}
	if p.pos < len(p.toks) {
		return fmt.Errorf("unexpected %s", p.where())
	}
	return nil
}

func (p *ddlParser) truncate(st *Statement) error {
	p.pos++ // TRUNCATE
	p.accept("TABLE")
	name, err := p.qualifiedName()
	if err != nil {
		return err
	}
	st.Kind = Tables
	st.Changes = []TableChange{{Kind: Truncate, Table: name, DDL: st.Text}}
	return nil
}
