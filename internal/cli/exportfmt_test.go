package cli

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specmodel"
)

func ptr[T any](v T) *T { return &v }

// sampleContacts makes n contacts; contact 120 (if any) carries a custom key no earlier one has.
func sampleContacts(n int) []gen.Contact {
	out := make([]gen.Contact, n)
	for i := range out {
		c := gen.Contact{
			Email:                  ptr(fmt.Sprintf("c%d@example.com", i)),
			FirstName:              ptr("First, \"quoted\""),
			EmailPermission:        gen.ConsentSubscribed,
			ContactPhonePermission: gen.ConsentNonSubscribed,
			Tags:                   []string{"vip", "beta"},
			CustomFields:           gen.CustomFields{"tier": "gold", "score": float64(i)},
			CreatedAt:              time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC),
			UpdatedAt:              time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC),
		}
		if i%2 == 1 {
			c.PhoneNumber = ptr(fmt.Sprintf("+1555000%04d", i))
			c.Email = nil
		}
		if i == 120 {
			c.CustomFields["late"] = "42" // a string that reads as a number
		}
		out[i] = c
	}
	return out
}

func exportAll(t *testing.T, format string, cs []gen.Contact) []byte {
	t.Helper()
	var buf bytes.Buffer
	s, err := newSink(format, &buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if err := s.Write(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestExportNDJSON(t *testing.T) {
	cs := sampleContacts(3)
	out := exportAll(t, formatNDJSON, cs)
	sc := bufio.NewScanner(bytes.NewReader(out))
	var got []gen.Contact
	for sc.Scan() {
		var c gen.Contact
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, c)
	}
	if len(got) != 3 || *got[0].Email != *cs[0].Email {
		t.Errorf("got %d contacts: %s", len(got), out)
	}
}

func TestExportJSONArray(t *testing.T) {
	for _, n := range []int{0, 1, 5} {
		out := exportAll(t, formatJSON, sampleContacts(n))
		var got []gen.Contact
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("n=%d: not a JSON array: %v\n%s", n, err, out)
		}
		if len(got) != n {
			t.Errorf("n=%d: got %d contacts", n, len(got))
		}
	}
}

func TestExportUnknownFormat(t *testing.T) {
	if _, err := newSink("xml", &bytes.Buffer{}); !isUsage(err) {
		t.Errorf("err = %v, want a usage error", err)
	}
}

// TestExportCSVReimports checks that every exported row reads back, through the import's
// header mapping and row parser, as the contact it came from, including a custom key first
// seen after the header was written.
func TestExportCSVReimports(t *testing.T) {
	cs := sampleContacts(150)
	out := exportAll(t, formatCSV, cs)
	r := csv.NewReader(bytes.NewReader(out))
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// The header: the create request's fields that set a contact property, in the spec's
	// order, then a column per custom key and the object of custom fields.
	var want []string
	custom := ""
	for _, f := range specmodel.MustLoad().Create {
		switch {
		case f.Type == openapi3.TypeObject && f.Scalars:
			custom = f.Name
		case f.Contact != "":
			want = append(want, f.Name)
		}
	}
	want = append(want, colCustomPrefix+"score", colCustomPrefix+"tier", custom)
	if !slices.Equal(records[0], want) {
		t.Errorf("header = %v, want %v", records[0], want)
	}
	if len(records) != 151 {
		t.Fatalf("%d records, want 151", len(records))
	}
	cols, err := mapHeader(records[0])
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range records[1:] {
		row := cols.parseRow(i+2, rec)
		if len(row.Problems) > 0 {
			t.Fatalf("row %d: %v", i, row.Problems)
		}
		// Each request field carries the contact property it sets (empty values are left out).
		contact, req := fieldValues(cs[i]), fieldValues(row.Create)
		for _, f := range specmodel.MustLoad().Create {
			want, got := contact[f.Contact], req[f.Name]
			if want == nil || reflect.ValueOf(want).IsZero() || (reflect.ValueOf(want).Kind() == reflect.Slice && reflect.ValueOf(want).Len() == 0) {
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("row %d: %s = %#v, want %#v (the contact's %s)", i, f.Name, got, want, f.Contact)
			}
		}
	}
}
