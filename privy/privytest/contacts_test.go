package privytest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy/privytest"
)

func TestCreateDefaultsAndTimestamps(t *testing.T) {
	e := newEnv(t)
	e.clock.Advance(90*time.Second + 400*time.Millisecond)
	c := e.create(t, gen.CreateContactRequest{Email: ptr("jane@example.com")})
	want := start.Add(90 * time.Second)
	if c.EmailPermission != gen.ConsentNonSubscribed || c.ContactPhonePermission != gen.ConsentNonSubscribed {
		t.Errorf("consents = %q, %q; want non_subscribed defaults", c.EmailPermission, c.ContactPhonePermission)
	}
	if !c.CreatedAt.Equal(want) || !c.UpdatedAt.Equal(want) {
		t.Errorf("timestamps = %v, %v; want %v (the clock, to the second)", c.CreatedAt, c.UpdatedAt, want)
	}
	if c.Tags == nil || len(c.Tags) != 0 || c.CustomFields == nil || len(c.CustomFields) != 0 {
		t.Errorf("tags, custom_fields = %#v, %#v; want empty, not null", c.Tags, c.CustomFields)
	}
	if c.PhoneNumber != nil || c.FirstName != nil {
		t.Errorf("unset fields must be null: %+v", c)
	}
	p := e.create(t, gen.CreateContactRequest{PhoneNumber: ptr("+447700900123"), SmsConsent: ptr(gen.ConsentSubscribed),
		CustomFields: gen.CustomFields{"tier": "gold", "gone": nil}})
	if p.Email != nil || p.ContactPhonePermission != gen.ConsentSubscribed || p.EmailPermission != gen.ConsentNonSubscribed {
		t.Errorf("phone-only contact = %+v", p)
	}
	if _, ok := p.CustomFields["gone"]; ok || p.CustomFields["tier"] != "gold" {
		t.Errorf("custom_fields = %v; a null value clears the field", p.CustomFields)
	}
}

func TestCreateErrors(t *testing.T) {
	e := newEnv(t)
	e.create(t, gen.CreateContactRequest{Email: ptr("jane@example.com"), PhoneNumber: ptr("+15551234567")})
	tests := []struct {
		name    string
		body    string
		status  int
		code    gen.ErrorCode
		message string
		details []gen.ErrorDetail
	}{
		{"email taken", `{"email":"jane@example.com"}`, 409, gen.ErrorCodeConflict, conflictMsg("email"), nil},
		{"email taken, other case", `{"email":"JANE@Example.com"}`, 409, gen.ErrorCodeConflict, conflictMsg("email"), nil},
		{"phone taken", `{"email":"new@example.com","phone_number":"+15551234567"}`, 409, gen.ErrorCodeConflict, conflictMsg("phone_number"), nil},
		{"no identifier", `{"first_name":"Jane"}`, 422, gen.ErrorCodeValidationFailed, replyMsg("ValidationFailed"),
			[]gen.ErrorDetail{{Field: "base", Message: schemaMsg("CreateContactBody")}}},
		{"bad phone", `{"phone_number":"555-1234"}`, 422, gen.ErrorCodeValidationFailed, replyMsg("ValidationFailed"),
			[]gen.ErrorDetail{{Field: "phone_number", Message: createField("phone_number").Message}}},
		{"bad consent", `{"email":"a@example.com","email_consent":"yes"}`, 422, gen.ErrorCodeValidationFailed, replyMsg("ValidationFailed"),
			[]gen.ErrorDetail{{Field: "email_consent", Message: createField("email_consent").Message}}},
		{"nested custom field", `{"email":"a@example.com","custom_fields":{"a":{"b":1}}}`, 422, gen.ErrorCodeValidationFailed, replyMsg("ValidationFailed"),
			[]gen.ErrorDetail{{Field: "custom_fields", Message: createField("custom_fields").Message}}},
		{"malformed JSON", `{"email":`, 422, gen.ErrorCodeValidationFailed, replyMsg("ValidationFailed"),
			[]gen.ErrorDetail{{Field: "base", Message: "request body is not valid JSON"}}},
		{"sms subscribed without phone", `{"email":"a@example.com","sms_consent":"subscribed"}`, 422, gen.ErrorCodeValidationFailed, replyMsg("ValidationFailed"),
			[]gen.ErrorDetail{{Field: "sms_consent", Message: createField("sms_consent").ValueErrors[string(gen.ConsentSubscribed)]}}},
		{"sms subscribed, unsupported country", `{"phone_number":"+4915112345678","sms_consent":"subscribed"}`, 422, gen.ErrorCodeValidationFailed, replyMsg("ValidationFailed"),
			[]gen.ErrorDetail{{Field: "sms_consent", Message: createField("sms_consent").ValueErrors[string(gen.ConsentSubscribed)]}}},
		{"sms unsubscribed for a new contact", `{"phone_number":"+15550001111","sms_consent":"unsubscribed"}`, 422, gen.ErrorCodeValidationFailed, replyMsg("ValidationFailed"),
			[]gen.ErrorDetail{{Field: "sms_consent", Message: createField("sms_consent").ValueErrors[string(gen.ConsentUnsubscribed)]}}},
		{"semantic 422 before conflict", `{"email":"jane@example.com","sms_consent":"unsubscribed"}`, 422, gen.ErrorCodeValidationFailed, replyMsg("ValidationFailed"),
			[]gen.ErrorDetail{{Field: "sms_consent", Message: createField("sms_consent").ValueErrors[string(gen.ConsentUnsubscribed)]}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := e.do(t, http.MethodPost, "/contacts", "application/json", tt.body)
			if status != tt.status {
				t.Fatalf("status = %d, want %d: %s", status, tt.status, body)
			}
			if h.Get("X-RateLimit-Remaining-Minute") == "" {
				t.Error("error response without rate-limit headers")
			}
			got := errorOf(t, body)
			if got.Code != tt.code || got.Message != tt.message || !slices.Equal(details(got), tt.details) {
				t.Errorf("error = %s, want code %s message %q details %v", mustJSON(got), tt.code, tt.message, tt.details)
			}
		})
	}
	if n := len(e.srv.Contacts()); n != 1 {
		t.Errorf("%d contacts after failed creates, want 1", n)
	}
}

func TestCreateRestoresDeletedContact(t *testing.T) {
	e := newEnv(t)
	e.create(t, gen.CreateContactRequest{Email: ptr("jane@example.com"), FirstName: ptr("Jane"), Tags: gen.Tags{"vip"}})
	e.clock.Advance(time.Hour)
	later := e.create(t, gen.CreateContactRequest{Email: ptr("later@example.com")})
	del, err := e.client.DeleteContactWithResponse(context.Background(), gen.DeleteContactRequest{Email: ptr("jane@example.com")})
	if err != nil || del.JSON200 == nil {
		t.Fatalf("delete: %v %v", err, del)
	}
	e.clock.Advance(time.Hour)
	restored := e.create(t, gen.CreateContactRequest{Email: ptr("Jane@example.com"), LastName: ptr("Doe"), EmailConsent: ptr(gen.ConsentSubscribed)})
	if !restored.CreatedAt.Equal(start) || !restored.UpdatedAt.Equal(start.Add(2*time.Hour)) {
		t.Errorf("restored timestamps = %v, %v; want created_at kept and updated_at now", restored.CreatedAt, restored.UpdatedAt)
	}
	if restored.FirstName != nil || *restored.LastName != "Doe" || len(restored.Tags) != 0 || restored.EmailPermission != gen.ConsentSubscribed {
		t.Errorf("restored contact = %s; want the new data only", mustJSON(restored))
	}
	got := e.srv.Contacts()
	if len(got) != 2 || *got[0].Email != "Jane@example.com" || *got[1].Email != *later.Email {
		t.Errorf("contacts = %s; want the restored one first (by created_at)", mustJSON(got))
	}
}

func TestListFiltersAndPagination(t *testing.T) {
	e := newEnv(t)
	// 30 contacts: every third phone-only, every fifth unsubscribed from email.
	for i := range 30 {
		req := gen.CreateContactRequest{PhoneNumber: ptr(fmt.Sprintf("+1555000%04d", i))}
		if i%3 != 0 {
			req.Email = ptr(fmt.Sprintf("c%02d@example.com", i))
			req.EmailConsent = ptr(gen.ConsentSubscribed)
		}
		if i%2 == 0 {
			req.SmsConsent = ptr(gen.ConsentSubscribed)
		}
		e.create(t, req)
		e.clock.Advance(time.Second)
	}
	for i := 0; i < 30; i += 5 {
		e.do(t, http.MethodPost, "/contacts/unsubscribe", "application/json", fmt.Sprintf(`{"phone_number":"+1555000%04d"}`, i))
	}
	tests := []struct {
		name       string
		params     gen.ListContactsParams
		wantLen    int
		wantTotal  int
		wantPages  int
		wantFirst  string // phone number of the first contact on the page
		wantPerPag int
	}{
		{"defaults", gen.ListContactsParams{}, 25, 30, 2, "+15550000000", 25},
		{"page 2", gen.ListContactsParams{Page: ptr(2)}, 5, 30, 2, "+15550000025", 25},
		{"per_page 7 page 5", gen.ListContactsParams{Page: ptr(5), PerPage: ptr(7)}, 2, 30, 5, "+15550000028", 7},
		{"past the end", gen.ListContactsParams{Page: ptr(3)}, 0, 30, 2, "", 25},
		{"far past the end", gen.ListContactsParams{Page: ptr(1 << 40), PerPage: ptr(100)}, 0, 30, 1, "", 100},
		{"email", gen.ListContactsParams{Email: ptr("C07@example.com")}, 1, 1, 1, "+15550000007", 25},
		{"email unknown", gen.ListContactsParams{Email: ptr("nobody@example.com")}, 0, 0, 0, "", 25},
		{"phone", gen.ListContactsParams{PhoneNumber: ptr("+15550000003")}, 1, 1, 1, "+15550000003", 25},
		{"phone and mismatching email", gen.ListContactsParams{PhoneNumber: ptr("+15550000003"), Email: ptr("c04@example.com")}, 0, 0, 0, "", 25},
		// unsubscribed: 0,5,10,15,20,25; subscribed: email contacts not unsubscribed.
		{"email_permission unsubscribed", gen.ListContactsParams{EmailPermission: ptr(gen.ConsentUnsubscribed)}, 6, 6, 1, "+15550000000", 25},
		{"email_permission subscribed page 2", gen.ListContactsParams{EmailPermission: ptr(gen.ConsentSubscribed), PerPage: ptr(10), Page: ptr(2)}, 6, 16, 2, "+15550000019", 10},
		{"email_permission non_subscribed", gen.ListContactsParams{EmailPermission: ptr(gen.ConsentNonSubscribed)}, 8, 8, 1, "+15550000003", 25},
		{"contact_phone_permission subscribed", gen.ListContactsParams{ContactPhonePermission: ptr(gen.ConsentSubscribed)}, 15, 15, 1, "+15550000000", 25},
		{"both consents", gen.ListContactsParams{ContactPhonePermission: ptr(gen.ConsentNonSubscribed), EmailPermission: ptr(gen.ConsentUnsubscribed)}, 3, 3, 1, "+15550000005", 25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := e.client.ListContactsWithResponse(context.Background(), &tt.params)
			if err != nil || resp.JSON200 == nil {
				t.Fatalf("list: %v, status %d: %s", err, resp.StatusCode(), resp.Body)
			}
			l := resp.JSON200
			want := gen.Pagination{Page: 1, PerPage: tt.wantPerPag, TotalCount: tt.wantTotal, TotalPages: tt.wantPages}
			if tt.params.Page != nil {
				want.Page = *tt.params.Page
			}
			if len(l.Data) != tt.wantLen || l.Pagination != want {
				t.Fatalf("got %d contacts, pagination %+v; want %d, %+v", len(l.Data), l.Pagination, tt.wantLen, want)
			}
			if l.Data == nil || !strings.Contains(string(resp.Body), `"data":[`) {
				t.Errorf("data must be an array, got %s", resp.Body)
			}
			if tt.wantFirst != "" && *l.Data[0].PhoneNumber != tt.wantFirst {
				t.Errorf("first contact %s, want %s", *l.Data[0].PhoneNumber, tt.wantFirst)
			}
			for _, c := range l.Data {
				if p := tt.params.EmailPermission; p != nil && c.EmailPermission != *p {
					t.Errorf("filter email_permission=%s returned %s", *p, c.EmailPermission)
				}
				if p := tt.params.ContactPhonePermission; p != nil && c.ContactPhonePermission != *p {
					t.Errorf("filter contact_phone_permission=%s returned %s", *p, c.ContactPhonePermission)
				}
			}
		})
	}
	t.Run("invalid parameters", func(t *testing.T) {
		status, _, body := e.do(t, http.MethodGet, "/contacts?page=0&per_page=101&email_permission=maybe", "", "")
		got := errorOf(t, body)
		fields := make([]string, 0)
		for _, d := range details(got) {
			fields = append(fields, d.Field)
		}
		slices.Sort(fields)
		if status != 422 || !slices.Equal(fields, []string{"email_permission", "page", "per_page"}) {
			t.Errorf("status %d, detail fields %v; want 422 on page, per_page, email_permission: %s", status, fields, body)
		}
	})
}

func TestUpdate(t *testing.T) {
	e := newEnv(t)
	e.create(t, gen.CreateContactRequest{Email: ptr("jane@example.com"), PhoneNumber: ptr("+15551234567"), FirstName: ptr("Jane"),
		LastName: ptr("Doe"), Tags: gen.Tags{"vip", "beta"}, CustomFields: gen.CustomFields{"tier": "gold", "ltv": 12.5}})
	e.clock.Advance(time.Minute)
	resp, err := e.client.UpdateContactWithResponse(context.Background(), gen.UpdateContactRequest{PhoneNumber: ptr("+15551234567"),
		FirstName: ptr("Janet"), Tags: &gen.Tags{"newsletter"}, CustomFields: &gen.CustomFields{"source": "popup"}})
	if err != nil || resp.JSON200 == nil {
		t.Fatalf("update: %v, %d %s", err, resp.StatusCode(), resp.Body)
	}
	c := resp.JSON200.Data
	if *c.FirstName != "Janet" || *c.LastName != "Doe" || !slices.Equal(c.Tags, gen.Tags{"newsletter"}) ||
		len(c.CustomFields) != 1 || c.CustomFields["source"] != "popup" || !c.UpdatedAt.Equal(start.Add(time.Minute)) || !c.CreatedAt.Equal(start) {
		t.Errorf("updated contact = %s; want first name changed, tags and custom_fields replaced, updated_at now", mustJSON(c))
	}
	tests := []struct {
		name, body string
		status     int
		field      string
	}{
		{"not found", `{"email":"nobody@example.com","first_name":"X"}`, 404, ""},
		{"both identifiers", `{"email":"jane@example.com","phone_number":"+15551234567","first_name":"X"}`, 422, "base"},
		{"no identifier", `{"first_name":"X"}`, 422, "base"},
		{"nothing to change", `{"email":"jane@example.com"}`, 422, "base"},
		{"identifier cannot change", `{"email":"jane@example.com","phone_number_new":"+1"}`, 422, "phone_number_new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := e.do(t, http.MethodPatch, "/contacts", "application/json", tt.body)
			got := errorOf(t, body)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if tt.status == 404 && (got.Code != gen.ErrorCodeNotFound || got.Message != replyMsg("NotFound")) {
				t.Errorf("404 body = %s", body)
			}
			if tt.field != "" && !slices.ContainsFunc(details(got), func(d gen.ErrorDetail) bool { return d.Field == tt.field }) {
				t.Errorf("no detail on %s: %s", tt.field, body)
			}
		})
	}
}

func TestUnsubscribe(t *testing.T) {
	e := newEnv(t)
	e.create(t, gen.CreateContactRequest{Email: ptr("jane@example.com"), EmailConsent: ptr(gen.ConsentSubscribed)})
	e.clock.Advance(time.Minute)
	first, err := e.client.UnsubscribeContactWithResponse(context.Background(), gen.UnsubscribeContactRequest{Email: ptr("jane@example.com"), Reason: ptr("asked")})
	if err != nil || first.JSON200 == nil || first.JSON200.Data.EmailPermission != gen.ConsentUnsubscribed {
		t.Fatalf("unsubscribe: %v %s", err, first.Body)
	}
	e.clock.Advance(time.Minute)
	second, err := e.client.UnsubscribeContactWithResponse(context.Background(), gen.UnsubscribeContactRequest{Email: ptr("jane@example.com")})
	if err != nil || second.JSON200 == nil {
		t.Fatalf("second unsubscribe: %v %s", err, second.Body)
	}
	if !sameJSON(t, first.Body, second.Body) {
		t.Errorf("unsubscribing twice changed the contact:\n%s\n%s", first.Body, second.Body)
	}
	if status, _, body := e.do(t, http.MethodPost, "/contacts/unsubscribe", "application/json", `{"email":"nobody@example.com"}`); status != 404 {
		t.Errorf("unknown contact: %d %s", status, body)
	}
	long := strings.Repeat("x", 501)
	status, _, body := e.do(t, http.MethodPost, "/contacts/unsubscribe", "application/json", `{"email":"jane@example.com","reason":"`+long+`"}`)
	if d := details(errorOf(t, body)); status != 422 || len(d) != 1 || d[0].Field != "reason" {
		t.Errorf("501-character reason: %d %s", status, body)
	}
	if status, _, body := e.do(t, http.MethodPost, "/contacts/unsubscribe", "application/json", `{"email":"jane@example.com","reason":"`+long[:500]+`"}`); status != 200 {
		t.Errorf("500-character reason: %d %s", status, body)
	}
}

func TestDelete(t *testing.T) {
	e := newEnv(t)
	created := e.create(t, gen.CreateContactRequest{PhoneNumber: ptr("+61412345678"), FirstName: ptr("Kylie")})
	e.create(t, gen.CreateContactRequest{Email: ptr("other@example.com")})
	resp, err := e.client.DeleteContactWithResponse(context.Background(), gen.DeleteContactRequest{PhoneNumber: ptr("+61412345678")})
	if err != nil || resp.JSON200 == nil {
		t.Fatalf("delete: %v %d %s", err, resp.StatusCode(), resp.Body)
	}
	if mustJSON(resp.JSON200.Data) != mustJSON(created) {
		t.Errorf("delete returned %s, want the removed contact %s", mustJSON(resp.JSON200.Data), mustJSON(created))
	}
	again, err := e.client.DeleteContactWithResponse(context.Background(), gen.DeleteContactRequest{PhoneNumber: ptr("+61412345678")})
	if err != nil || again.JSON404 == nil || again.JSON404.Error.Message != replyMsg("NotFound") {
		t.Errorf("second delete: %v %d %s", err, again.StatusCode(), again.Body)
	}
	list, _ := e.client.ListContactsWithResponse(context.Background(), nil)
	if list.JSON200.Pagination.TotalCount != 1 {
		t.Errorf("total_count %d after delete, want 1", list.JSON200.Pagination.TotalCount)
	}
	if status, _, body := e.do(t, http.MethodDelete, "/contacts", "application/json", `{"email":"other@example.com","phone_number":"+15551234567"}`); status != 422 {
		t.Errorf("delete with both identifiers: %d %s", status, body)
	}
}

func TestWithSMSCountries(t *testing.T) {
	e := newEnv(t, privytest.WithSMSCountries("+49"))
	if got := e.srv.SMSCountries(); !slices.Equal(got, []string{"+49"}) {
		t.Fatalf("SMSCountries = %v", got)
	}
	e.srv.SMSCountries()[0] = "+1" // a copy: changing it changes nothing
	for _, tt := range []struct {
		phone  string
		status int
	}{{"+4915112345678", 201}, {"+15551234567", 422}} {
		status, _, body := e.do(t, http.MethodPost, "/contacts", "application/json",
			`{"phone_number":"`+tt.phone+`","sms_consent":"subscribed"}`)
		if status != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.phone, status, tt.status, body)
		}
	}
}

// TestContactsJSONHoldsEverySpecProperty shows the fake returns every property the spec's
// contact has, in the spec's order.
func TestContactsJSONHoldsEverySpecProperty(t *testing.T) {
	e := newEnv(t)
	e.create(t, gen.CreateContactRequest{Email: ptr("jane@example.com")})
	got := e.srv.ContactsJSON()
	if len(got) != 1 {
		t.Fatalf("ContactsJSON = %s", got)
	}
	dec := json.NewDecoder(bytes.NewReader(got[0]))
	var keys []string
	for depth := 0; ; {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		default:
			if k, ok := tok.(string); ok && depth == 1 {
				keys = append(keys, k)
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var want []string
	for _, f := range model.Contact {
		if f.Required {
			want = append(want, f.Name)
		}
	}
	if !slices.Equal(keys, want) {
		t.Errorf("properties = %v, want %v", keys, want)
	}
}

// TestEveryFilterMatchesByEquality runs every list filter the spec declares against seeded
// contacts: each answers exactly the contacts whose property equals the value (ignoring case
// where the spec says so), with no per-filter code in the fake or here.
func TestEveryFilterMatchesByEquality(t *testing.T) {
	e := newEnv(t, privytest.WithSeed(3, 80))
	var all []map[string]any
	for _, raw := range e.srv.ContactsJSON() {
		all = append(all, jsonTo[map[string]any](t, string(raw)))
	}
	if len(model.Filters) == 0 {
		t.Fatal("the spec declares no list filter")
	}
	for _, f := range model.Filters {
		t.Run(f.Name, func(t *testing.T) {
			var value string
			for _, c := range all[len(all)/2:] {
				if s, ok := c[f.Contact].(string); ok {
					value = s
					break
				}
			}
			if value == "" {
				t.Skipf("no seeded contact has a string %s", f.Contact)
			}
			if f.CaseInsensitive {
				value = strings.ToUpper(value)
			}
			equal := func(v any) bool {
				s, _ := v.(string)
				return s == value || f.CaseInsensitive && strings.EqualFold(s, value)
			}
			var want []string
			for _, c := range all {
				if equal(c[f.Contact]) {
					want = append(want, mustJSON(c))
				}
			}
			q := url.Values{f.Name: {value}, "per_page": {"100"}}
			status, _, body := e.do(t, http.MethodGet, "/contacts?"+q.Encode(), "", "")
			page := jsonTo[struct {
				Data       []map[string]any `json:"data"`
				Pagination gen.Pagination   `json:"pagination"`
			}](t, string(body))
			var got []string
			for _, c := range page.Data {
				got = append(got, mustJSON(c))
			}
			if status != 200 || !slices.Equal(got, want) || page.Pagination.TotalCount != len(want) || len(want) == 0 {
				t.Errorf("%s=%s: status %d, %d contacts (total %d), want %d", f.Name, value, status, len(got), page.Pagination.TotalCount, len(want))
			}
		})
	}
}
