package privy

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specmodel"
)

func TestPreflightValidation(t *testing.T) {
	// The messages the spec documents (x-privy-error, x-privy-message).
	m := specmodel.MustLoad()
	msgE164 := specmodel.MustFind(m.Create, "phone_number").Message
	msgIdentifier := m.Rule(specmodel.OpCreate, "anyOf")
	msgFlat := specmodel.MustFind(m.Update, "custom_fields").Message
	msgInvalid := m.Replies["ValidationFailed"].Message
	if msgE164 == "" || msgIdentifier == "" || msgFlat == "" || msgInvalid == "" {
		t.Fatalf("the spec lacks a documented message: %q %q %q %q", msgE164, msgIdentifier, msgFlat, msgInvalid)
	}
	tests := []struct {
		name  string
		call  func(*Client) error
		field string
		msg   string
	}{
		{"phone not E.164", func(c *Client) error {
			_, _, err := c.CreateContact(context.Background(), gen.CreateContactRequest{PhoneNumber: ptr("555-1234")})
			return err
		}, "phone_number", msgE164},
		{"no identifier", func(c *Client) error {
			_, _, err := c.CreateContact(context.Background(), gen.CreateContactRequest{FirstName: ptr("Jane")})
			return err
		}, "base", msgIdentifier},
		{"nested custom field", func(c *Client) error {
			_, _, err := c.UpdateContact(context.Background(), gen.UpdateContactRequest{Email: ptr("jane@example.com"),
				CustomFields: &gen.CustomFields{"address": map[string]any{"city": "Paris"}}})
			return err
		}, "custom_fields", msgFlat},
		{"per_page 500", func(c *Client) error {
			_, _, err := c.ListContacts(context.Background(), &gen.ListContactsParams{PerPage: ptr(500)})
			return err
		}, "per_page", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, newFakeClock())
			err := tt.call(newTestClient(t, s))
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrValidationFailed) || e.StatusCode != 422 || e.Message != msgInvalid {
				t.Fatalf("err = %v, want a 422 validation_failed *Error", err)
			}
			found := false
			for _, d := range e.Details {
				found = found || (d.Field == tt.field && (tt.msg == "" || d.Message == tt.msg))
			}
			if !found {
				t.Errorf("details = %+v, want field %q message %q", e.Details, tt.field, tt.msg)
			}
			if n := len(s.Requests()); n != 0 {
				t.Errorf("server saw %d requests, want none", n)
			}
			// Without validation the request is sent.
			tt.call(newTestClient(t, s, WithoutValidation()))
			if n := len(s.Requests()); n != 1 {
				t.Errorf("without validation the server saw %d requests, want 1", n)
			}
		})
	}
}

func TestOperations(t *testing.T) {
	s := newServer(t, newFakeClock(), reply{status: 204})
	c := newTestClient(t, s, WithUserAgent("crm-sync/2.1"))
	ctx := context.Background()
	got, resp, err := c.DeleteContact(ctx, gen.DeleteContactRequest{Email: ptr("jane@example.com")})
	if err != nil || got != nil || resp.StatusCode != 204 {
		t.Fatalf("DeleteContact on 204 = %v, %v, want nil contact, no error", got, err)
	}
	for name, call := range map[string]func() (*gen.Contact, *Response, error){
		"create": func() (*gen.Contact, *Response, error) { return c.CreateContact(ctx, jane) },
		"update": func() (*gen.Contact, *Response, error) {
			return c.UpdateContact(ctx, gen.UpdateContactRequest{PhoneNumber: ptr("+15551234567"), LastName: ptr("Roe")})
		},
		"unsubscribe": func() (*gen.Contact, *Response, error) {
			return c.UnsubscribeContact(ctx, gen.UnsubscribeContactRequest{Email: ptr("jane@example.com")})
		},
		"delete": func() (*gen.Contact, *Response, error) {
			return c.DeleteContact(ctx, gen.DeleteContactRequest{Email: ptr("jane@example.com")})
		},
	} {
		got, resp, err := call()
		if err != nil || got == nil || *got.Email != *s.contacts[0].Email || resp.RateLimit.LimitMinute != 60 {
			t.Errorf("%s = %+v, %v", name, got, err)
		}
	}
	for _, r := range s.Requests() {
		if r.Auth != "Bearer "+testToken || r.UA != "crm-sync/2.1" {
			t.Errorf("%s %s sent Authorization %q, User-Agent %q", r.Method, r.Path, r.Auth, r.UA)
		}
	}
	list, resp, err := c.ListContacts(ctx, &gen.ListContactsParams{Email: ptr("jane.doe1@example.com"), PerPage: ptr(2)})
	if err != nil || len(list.Data) != 2 || list.Pagination.TotalCount != 3 || resp.StatusCode != 200 {
		t.Fatalf("ListContacts = %+v, %v", list, err)
	}
	if q := s.Requests()[len(s.Requests())-1].Query; q != "per_page=2&email=jane.doe1%40example.com" {
		t.Errorf("query = %q", q)
	}
	// A truncated 200 body is an error that says so, with the response.
	s.queue = []reply{{status: 200, body: `{"data":[{"first_na`}}
	if _, resp, err := c.ListContacts(ctx, nil); err == nil || resp == nil || !errors.Is(err, ErrMalformedResponse) {
		t.Errorf("truncated body: err = %v", err)
	}
}

func TestIterator(t *testing.T) {
	t.Run("pages until the last", func(t *testing.T) {
		s := newServer(t, newFakeClock())
		s.contacts = makeContacts(250)
		c := newTestClient(t, s)
		params := &gen.ListContactsParams{EmailPermission: ptr(gen.ConsentSubscribed)}
		n := 0
		for ct, err := range c.Contacts(context.Background(), params) {
			if err != nil {
				t.Fatal(err)
			}
			if *ct.Email != *s.contacts[n].Email {
				t.Fatalf("contact %d = %s", n, *ct.Email)
			}
			n++
		}
		reqs := s.Requests()
		if n != 250 || len(reqs) != 3 || reqs[2].Query != "page=3&per_page=100&email_permission=subscribed" {
			t.Errorf("%d contacts in %d requests (last %q), want 250 in 3", n, len(reqs), reqs[len(reqs)-1].Query)
		}
		if params.Page != nil || params.PerPage != nil {
			t.Errorf("the caller's params were changed: %+v", params)
		}
	})
	t.Run("stops on a short page despite a wrong total", func(t *testing.T) {
		page := `{"data":[` + strings.Repeat(`{"email":"a@example.com","email_permission":"subscribed","contact_phone_permission":"subscribed","tags":[],"custom_fields":{},"created_at":"2025-01-15T10:30:00Z","updated_at":"2025-01-15T10:30:00Z","first_name":null,"last_name":null,"phone_number":null},`, 2)
		page = strings.TrimSuffix(page, ",") + `],"pagination":{"page":1,"per_page":100,"total_count":100000,"total_pages":1000}}`
		s := newServer(t, newFakeClock(), reply{status: 200, body: page}, reply{status: 200, body: page})
		n := 0
		for _, err := range newTestClient(t, s).Contacts(context.Background(), nil) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != 2 || len(s.Requests()) != 1 {
			t.Errorf("%d contacts in %d requests, want 2 in 1", n, len(s.Requests()))
		}
	})
	t.Run("stops on an empty page", func(t *testing.T) {
		empty := `{"data":[],"pagination":{"page":1,"per_page":100,"total_count":5,"total_pages":9}}`
		s := newServer(t, newFakeClock(), reply{status: 200, body: empty}, reply{status: 200, body: empty})
		for _, err := range newTestClient(t, s).Contacts(context.Background(), nil) {
			t.Fatalf("yielded on an empty page: %v", err)
		}
		if len(s.Requests()) != 1 {
			t.Errorf("%d requests, want 1", len(s.Requests()))
		}
	})
	t.Run("yields an error once and stops", func(t *testing.T) {
		s := newServer(t, newFakeClock())
		s.contacts = makeContacts(150)
		s.queue = nil
		c := newTestClient(t, s)
		var errs, n int
		first := true
		for _, err := range c.Contacts(context.Background(), nil) {
			if first {
				s.mu.Lock()
				s.queue = []reply{{status: 403, body: envelope("insufficient_scope", "Token lacks the contacts_read scope")}}
				s.mu.Unlock()
				first = false
			}
			if err != nil {
				errs++
				if !errors.Is(err, ErrInsufficientScope) {
					t.Errorf("err = %v", err)
				}
				continue
			}
			n++
		}
		if errs != 1 || n != 100 || len(s.Requests()) != 2 {
			t.Errorf("%d contacts, %d errors, %d requests; want 100, 1, 2", n, errs, len(s.Requests()))
		}
	})
	t.Run("break stops fetching", func(t *testing.T) {
		s := newServer(t, newFakeClock())
		s.contacts = makeContacts(250)
		for range newTestClient(t, s).Contacts(context.Background(), &gen.ListContactsParams{PerPage: ptr(10)}) {
			break
		}
		if len(s.Requests()) != 1 {
			t.Errorf("%d requests after break, want 1", len(s.Requests()))
		}
	})
}

func TestSecrets(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// The API redirects to another host: Authorization must not follow.
	other := newServer(t, newFakeClock())
	s := newServer(t, newFakeClock(), reply{status: http.StatusTemporaryRedirect, header: map[string]string{"Location": other.URL + "/v1/contacts"}},
		rateLimited, unauthorized)
	c := newTestClient(t, s, WithLogger(logger))
	if _, _, err := c.ListContacts(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if r := other.Requests(); len(r) != 1 || r[0].Auth != "" {
		t.Errorf("the other host got %+v, want one request without Authorization", r)
	}
	_, _, err := c.ListContacts(context.Background(), nil) // 429 then 401
	var e *Error
	if !errors.As(err, &e) || e.Response.Request.Header.Get("Authorization") != "" {
		t.Fatalf("err = %v; the response kept in the error carries Authorization", err)
	}
	if strings.Contains(logs.String(), testToken) || strings.Contains(err.Error(), testToken) {
		t.Errorf("the token leaked:\n%s\n%v", logs.String(), err)
	}
	if !strings.Contains(logs.String(), "status=429") || !strings.Contains(logs.String(), "retry_in=2s") {
		t.Errorf("debug log lacks the attempts:\n%s", logs.String())
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want string // part of the error; "" for success
	}{
		{"token", []Option{WithToken(testToken)}, ""},
		{"no credentials", nil, "no credentials"},
		{"empty token", []Option{WithToken(" ")}, "token is empty"},
		{"missing secret", []Option{WithClientCredentials("id", "")}, "client secret are required"},
		{"scope with a space", []Option{WithClientCredentials("id", "secret", "contacts_read contacts_write")}, "pass each scope separately"},
		{"http to a remote host", []Option{WithToken(testToken), WithBaseURL("http://api.privy.com/v1")}, "use https"},
		{"http to loopback", []Option{WithToken(testToken), WithBaseURL("http://127.0.0.1:8080/v1")}, ""},
		{"http to localhost", []Option{WithToken(testToken), WithBaseURL("http://localhost:8080/v1"), WithTokenURL("http://[::1]:9/oauth/token")}, ""},
		{"credentials in the URL", []Option{WithToken(testToken), WithBaseURL("https://user:pw@api.privy.com/v1")}, "must not carry credentials"},
		{"relative URL", []Option{WithToken(testToken), WithBaseURL("/v1")}, "not an absolute"},
		{"http token URL", []Option{WithToken(testToken), WithTokenURL("http://auth.example.com/token")}, "use https"},
		{"zero attempts", []Option{WithToken(testToken), WithMaxAttempts(0)}, "less than 1"},
		{"negative wait", []Option{WithToken(testToken), WithMaxWait(-1)}, "negative"},
		{"nil client", []Option{WithToken(testToken), WithHTTPClient(nil)}, "nil"},
		{"nil logger", []Option{WithToken(testToken), WithLogger(nil)}, "nil"},
		{"nil clock", []Option{WithToken(testToken), WithClock(nil)}, "nil"},
		{"two-line user agent", []Option{WithToken(testToken), WithUserAgent("a\r\nX-Evil: 1")}, "one non-empty line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts...)
			if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("New = %v, want %q", err, tt.want)
			}
		})
	}
	if got := defaultTokenURL("https://api.privy.com/v1"); got != "https://api.privy.com/oauth/token" {
		t.Errorf("default token URL = %q", got)
	}
}

func TestNewFromEnv(t *testing.T) {
	s := newServer(t, newFakeClock())
	t.Setenv("PRIVY_BASE_URL", s.URL1())
	t.Setenv("PRIVY_TOKEN", testToken)
	t.Setenv("PRIVY_CLIENT_ID", "ignored")
	c, err := NewFromEnv(WithClock(s.clock))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.ListContacts(context.Background(), nil); err != nil || s.Requests()[0].Auth != "Bearer "+testToken {
		t.Fatalf("ListContacts = %v", err)
	}
	t.Setenv("PRIVY_TOKEN", "")
	var ee *EnvError
	if _, err := NewFromEnv(); !errors.As(err, &ee) || ee.Name != "PRIVY_CLIENT_SECRET" || !ee.Credentials() {
		t.Errorf("client id without secret: err = %v", err)
	}
	t.Setenv("PRIVY_BASE_URL", "http://example.com/v1")
	if _, err := NewFromEnv(WithToken(testToken)); err == nil || !strings.Contains(err.Error(), "PRIVY_BASE_URL") {
		t.Errorf("http base URL: err = %v", err)
	}
}

func TestTransportPassesOtherHostsThrough(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Errorf("another host received Authorization")
		}
	}))
	defer other.Close()
	tr, err := NewTransport(WithToken(testToken), WithBaseURL("http://127.0.0.1:1/v1"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: tr}).Get(other.URL + "/v1/contacts")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestTransportAsRoundTripper(t *testing.T) {
	s := newServer(t, newFakeClock(), reply{status: 404, body: envelope("not_found", "The contact could not be found")})
	tr, err := NewTransport(WithToken(testToken), WithBaseURL(s.URL1()), WithClock(s.clock))
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: tr}
	// A request refused before sending is an error, reachable through *url.Error.
	_, err = hc.Post(s.URL1()+"/contacts", "application/json", strings.NewReader(`{"phone_number":"555"}`))
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 422 || len(s.Requests()) != 0 {
		t.Fatalf("err = %v, want a pre-flight 422 *Error and no request", err)
	}
	// An API error is a response, as http.RoundTripper requires.
	body := `{"email":"nobody@example.com","first_name":"X"}`
	req, _ := http.NewRequest(http.MethodPatch, s.URL1()+"/contacts", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil || resp.StatusCode != 404 {
		t.Fatalf("PATCH = %v, %v; want the 404 response", resp, err)
	}
	resp.Body.Close()
	if r := s.Requests(); len(r) != 1 || r[0].Auth != "Bearer "+testToken || string(r[0].Body) != body {
		t.Errorf("server saw %+v", r)
	}
	if tr.RateLimit().LimitMinute != 60 {
		t.Errorf("RateLimit = %+v", tr.RateLimit())
	}
}
