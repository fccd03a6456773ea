package privy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/privy-go/privy-go/gen"
)

// pageServer serves one realistic page of 100 contacts, with rate-limit headers, to every GET.
func pageServer(b *testing.B) *httptest.Server {
	page, err := json.Marshal(gen.ContactList{Data: makeContacts(100),
		Pagination: gen.Pagination{Page: 1, PerPage: 100, TotalCount: 1000, TotalPages: 10}})
	if err != nil {
		b.Fatal(err)
	}
	reset := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("X-RateLimit-Limit-Minute", "1000000000")
		h.Set("X-RateLimit-Remaining-Minute", "999999999")
		h.Set("X-RateLimit-Reset-Minute", reset)
		h.Set("X-RateLimit-Limit-Day", "1000000000")
		h.Set("X-RateLimit-Remaining-Day", "999999999")
		h.Set("X-RateLimit-Reset-Day", reset)
		w.Write(page)
	}))
	b.Cleanup(s.Close)
	return s
}

func benchmarkClient(b *testing.B, opts ...Option) {
	s := pageServer(b)
	c, err := New(append([]Option{WithToken(testToken), WithBaseURL(s.URL + "/v1")}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	ctx, params := context.Background(), &gen.ListContactsParams{PerPage: ptr(100)}
	b.ReportAllocs()
	for b.Loop() {
		list, _, err := c.ListContacts(ctx, params)
		if err != nil || len(list.Data) != 100 {
			b.Fatal(err)
		}
	}
}

// BenchmarkList lists a page of 100 contacts through the Client, without pre-flight validation.
func BenchmarkList(b *testing.B) { benchmarkClient(b, WithoutValidation()) }

// BenchmarkListValidated is BenchmarkList with pre-flight validation (the default).
func BenchmarkListValidated(b *testing.B) { benchmarkClient(b) }

// BenchmarkListBaseline makes the same request with bare net/http and encoding/json.
func BenchmarkListBaseline(b *testing.B) {
	s := pageServer(b)
	client := &http.Client{}
	ctx, url := context.Background(), s.URL+"/v1/contacts?per_page=100"
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var list gen.ContactList
		err = json.NewDecoder(resp.Body).Decode(&list)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || len(list.Data) != 100 {
			b.Fatal(err)
		}
	}
}

// canned answers every request with the same page, without a network, so that the layer's own
// cost is not lost in socket noise.
type canned struct {
	header http.Header
	page   []byte
}

func (c canned) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: c.header.Clone(), Body: io.NopCloser(bytes.NewReader(c.page)), Request: r}, nil
}

func newCanned(b *testing.B) canned {
	page, err := json.Marshal(gen.ContactList{Data: makeContacts(100),
		Pagination: gen.Pagination{Page: 1, PerPage: 100, TotalCount: 1000, TotalPages: 10}})
	if err != nil {
		b.Fatal(err)
	}
	reset := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	h := http.Header{"Content-Type": {"application/json"}}
	for _, k := range []string{"Minute", "Day"} {
		h.Set("X-RateLimit-Limit-"+k, "1000000000")
		h.Set("X-RateLimit-Remaining-"+k, "999999999")
		h.Set("X-RateLimit-Reset-"+k, reset)
	}
	return canned{h, page}
}

// BenchmarkListNoNetwork is BenchmarkList over an in-memory transport.
func BenchmarkListNoNetwork(b *testing.B) {
	c, err := New(WithToken(testToken), WithoutValidation(), WithHTTPClient(&http.Client{Transport: newCanned(b)}))
	if err != nil {
		b.Fatal(err)
	}
	ctx, params := context.Background(), &gen.ListContactsParams{PerPage: ptr(100)}
	b.ReportAllocs()
	for b.Loop() {
		if list, _, err := c.ListContacts(ctx, params); err != nil || len(list.Data) != 100 {
			b.Fatal(err)
		}
	}
}

// BenchmarkListNoNetworkBaseline is BenchmarkListBaseline over the same in-memory transport.
func BenchmarkListNoNetworkBaseline(b *testing.B) {
	client := &http.Client{Transport: newCanned(b)}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, DefaultBaseURL+"/contacts?per_page=100", nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var list gen.ContactList
		err = json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		if err != nil || len(list.Data) != 100 {
			b.Fatal(err)
		}
	}
}

// BenchmarkEndlessGzipBody measures what one call costs against an endless gzip bomb: it must
// stay near the 8 MiB cap whatever the body (see B/op), not grow with it.
func BenchmarkEndlessGzipBody(b *testing.B) {
	srv := httptest.NewServer(endless(200, `{"data":[`, strings.Repeat(" ", 1024), true))
	defer srv.Close()
	c, err := New(WithToken(testToken), WithBaseURL(srv.URL+"/v1"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.ListContacts(context.Background(), nil); !errors.Is(err, ErrResponseTooLarge) {
			b.Fatal(err)
		}
	}
}
