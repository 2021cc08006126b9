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
