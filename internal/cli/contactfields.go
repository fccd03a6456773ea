package cli

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/privy-go/privy-go/gen"
)

// contactIndex maps the JSON names of gen.Contact's fields to their indexes, so that the CLI
// reads a contact property by its spec name: a property the spec adds is read with no code
// change.
var contactIndex = sync.OnceValue(func() map[string]int {
	t := reflect.TypeFor[gen.Contact]()
	out := map[string]int{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = i
		}
	}
	return out
})

// contactValue returns the value of contact property name (nil when it is null or absent),
// and whether gen.Contact has that property.
func contactValue(c *gen.Contact, name string) (any, bool) {
	i, ok := contactIndex()[name]
	if !ok {
		return nil, false
	}
	v := reflect.ValueOf(c).Elem().Field(i)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil, true
		}
		v = v.Elem()
	}
	if m, ok := v.Interface().(map[string]any); ok {
		return m, true
	}
	if v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String {
		m := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			m[it.Key().String()] = it.Value().Interface()
		}
		return m, true
	}
	return v.Interface(), true
}

// contactText is cellText(contactValue(c, name)), reading strings and lists of strings
// without boxing them (an export calls it for every cell).
func contactText(c *gen.Contact, name string) string {
	i, ok := contactIndex()[name]
	if !ok {
		return ""
	}
	v := reflect.ValueOf(c).Elem().Field(i)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	switch {
	case v.Kind() == reflect.String:
		return v.String()
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		parts := make([]string, v.Len())
		for j := range parts {
			parts[j] = v.Index(j).String()
		}
		return strings.Join(parts, ";")
	}
	val, _ := contactValue(c, name)
	return cellText(val)
}

// cellText renders a contact property value as text: strings (and string enums) as they are,
// times in RFC 3339 UTC, a list joined by ";", a map as key=value pairs, other values as JSON;
// nil as "".
func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case map[string]any:
		return customSummary(x)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return rv.String()
	case reflect.Slice, reflect.Array:
		parts := make([]string, rv.Len())
		for i := range parts {
			parts[i] = cellText(rv.Index(i).Interface())
		}
		return strings.Join(parts, ";")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
