package config

import (
	"strings"
	"testing"
)

// DataTopic against what Debezium 3.5's AbstractTopicNamingStrategy gives
// for the same names (sanitizedTopicName with the underscore replacement,
// or UnicodeReplacementFunction's).
func TestDataTopic(t *testing.T) {
	for _, c := range []struct {
		naming TopicNaming
		parts  []string
		want   string
	}{
		{TopicNaming{}, []string{"app", "shop", "orders"}, "app.shop.orders"},
		{TopicNaming{Delimiter: "_"}, []string{"app", "shop", "orders"}, "app_shop_orders"},
		{TopicNaming{}, []string{"app", "shop", "order$items"}, "app.shop.order_items"},
		{TopicNaming{}, []string{"app", "shop", "t é"}, "app.shop.t__"},
		{TopicNaming{}, []string{"app", "shop", "t😀"}, "app.shop.t__"}, // two UTF-16 units
		{TopicNaming{}, []string{"app", "", "t"}, "app.t"},
		{TopicNaming{Delimiter: "-"}, []string{"a", "b-c", "d"}, "a-b-c-d"},
		{TopicNaming{}, []string{"p", "d", strings.Repeat("x", 300)}, "p.d." + strings.Repeat("x", 245)},
		{TopicNaming{Unicode: true}, []string{"my_app", "shop", "order$items"}, "my_u005fapp.shop.order_u0024items"},
		{TopicNaming{Unicode: true}, []string{"p", "d", "t é😀ā"}, "p.d.t_u0020_u00e9_ud83d_ude00_u101"},
		{TopicNaming{Unicode: true, Delimiter: "_"}, []string{"p", "d", "t"}, "p_u005fd_u005ft"},
	} {
		if got := c.naming.DataTopic(c.parts...); got != c.want {
			t.Errorf("%+v.DataTopic(%q) = %q, want %q", c.naming, c.parts, got, c.want)
		}
	}
}

// TableTopic under DefaultRegexTopicNamingStrategy, as Debezium 3.5's
// AbstractRegexTopicNamingStrategy routes: the sanitised topic matched
// whole, the physical table the unsanitised one unless the key field regex
// matches it.
func TestRegexTableTopic(t *testing.T) {
	c, _ := mustParse(t, with("topic.prefix", "app", "topic.naming.strategy", RegexTopicNaming,
		"topic.regex", `(.*)\.orders_\d+`, "topic.replacement", "$1.orders"))
	keyed, _ := mustParse(t, with("topic.prefix", "app", "topic.naming.strategy", RegexTopicNaming,
		"topic.regex", `(.*)\.orders_\d+`, "topic.replacement", "$1.orders",
		"topic.key.field.regex", `[^.]+\.[^.]+\.(.*)`, "topic.key.field.replacement", "shard $1"))
	for _, x := range []struct {
		naming          TopicNaming
		db, table       string
		topic, physical string
		wantKeyField    string
	}{
		{c.TopicNaming, "shop", "orders_01", "app.shop.orders", "app.shop.orders_01", "__dbz__physicalTableIdentifier"},
		{c.TopicNaming, "shop", "orders_x", "app.shop.orders_x", "app.shop.orders_x", "__dbz__physicalTableIdentifier"},
		// The topic sanitised before the match, the physical table not.
		{c.TopicNaming, "shop", "orders 7", "app.shop.orders", "app.shop.orders 7", "__dbz__physicalTableIdentifier"},
		{c.TopicNaming, "shop", "orders x", "app.shop.orders_x", "app.shop.orders x", "__dbz__physicalTableIdentifier"},
		{keyed.TopicNaming, "shop", "orders_02", "app.shop.orders", "shard orders_02", "__dbz__physicalTableIdentifier"},
	} {
		topic, physical, err := x.naming.TableTopic("app", x.db, x.table)
		if err != nil || topic != x.topic || physical != x.physical || x.naming.Regex.KeyField != x.wantKeyField {
			t.Errorf("%s.%s: %q, %q, %v (key field %q), want %q, %q", x.db, x.table, topic, physical, err, x.naming.Regex.KeyField, x.topic, x.physical)
		}
	}
	// A replacement that routes to nothing keeps the topic (Debezium warns).
	empty, _ := mustParse(t, with("topic.prefix", "app", "topic.naming.strategy", RegexTopicNaming,
		"topic.regex", `app\.shop\.(x*)`, "topic.replacement", "$1", "topic.key.enforce.uniqueness", "false"))
	topic, physical, err := empty.TopicNaming.TableTopic("app", "shop", "")
	if topic != "app.shop" || physical != "" || err != nil {
		t.Errorf("empty replacement, no key field: %q, %q, %v", topic, physical, err)
	}
	if empty.TopicNaming.Regex.KeyField != "" {
		t.Errorf("topic.key.enforce.uniqueness=false: key field %q", empty.TopicNaming.Regex.KeyField)
	}
}

// The Schema* strategies name a MySQL or MariaDB table by its schema parts:
// the table alone, its database having no part in them (TableId's schema
// is null), so topics are <prefix>.<table>; the regex one matches and names
// the physical table from that name too.
func TestSchemaTopicNaming(t *testing.T) {
	for _, x := range []struct {
		strategy        string
		topic, physical string
	}{
		{"io.debezium.schema.SchemaTopicNamingStrategy", "app.orders_01", ""},
		{"io.debezium.schema.SchemaUnicodeTopicNamingStrategy", "app.orders_u005f01", ""},
		{"io.debezium.schema.SchemaRegexTopicNamingStrategy", "app.orders", "app.orders_01"},
		{"io.debezium.schema.DefaultTopicNamingStrategy", "app.shop.orders_01", ""},
	} {
		c, _ := mustParse(t, with("topic.prefix", "app", "topic.naming.strategy", x.strategy,
			"topic.regex", `app\.orders_\d+`, "topic.replacement", "app.orders"))
		topic, physical, err := c.TopicNaming.TableTopic("app", "shop", "orders_01")
		if topic != x.topic || physical != x.physical || err != nil {
			t.Errorf("%s: %q, %q, %v; want %q, %q", x.strategy, topic, physical, err, x.topic, x.physical)
		}
	}
}
