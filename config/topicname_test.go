package config

import (
	"strings"
	"testing"
)

// DataTopic against what Debezium 3.5's AbstractTopicNamingStrategy gives
// for the same names (sanitizedTopicName with the underscore replacement).
func TestDataTopic(t *testing.T) {
	for _, c := range []struct {
		delim string
		parts []string
		want  string
	}{
		{".", []string{"app", "shop", "orders"}, "app.shop.orders"},
		{"_", []string{"app", "shop", "orders"}, "app_shop_orders"},
		{".", []string{"app", "shop", "order$items"}, "app.shop.order_items"},
		{".", []string{"app", "shop", "t é"}, "app.shop.t__"},
		{".", []string{"app", "shop", "t😀"}, "app.shop.t__"}, // two UTF-16 units
		{".", []string{"app", "", "t"}, "app.t"},
		{"-", []string{"a", "b-c", "d"}, "a-b-c-d"},
		{".", []string{"p", "d", strings.Repeat("x", 300)}, "p.d." + strings.Repeat("x", 245)},
	} {
		if got := DataTopic(c.delim, c.parts...); got != c.want {
			t.Errorf("DataTopic(%q, %q) = %q, want %q", c.delim, c.parts, got, c.want)
		}
	}
}
