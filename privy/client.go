package privy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/privy-go/privy-go/gen"
)

// Client calls the Privy Contacts API. It is safe for concurrent use; all goroutines share one
// rate-limit budget and one OAuth token.
type Client struct {
	t   *Transport
	gen *gen.Client
}

// Response is the HTTP response of a call, its body already read, with its rate-limit state.
type Response struct {
	*http.Response
	RateLimit RateLimit
}

// New returns a Client configured by opts; WithToken or WithClientCredentials is required.
func New(opts ...Option) (*Client, error) {
	t, err := NewTransport(opts...)
	if err != nil {
		return nil, err
	}
	g, err := gen.NewClient(t.base.String(), gen.WithHTTPClient(t))
	if err != nil {
		return nil, fmt.Errorf("privy: %w", err)
	}
	return &Client{t: t, gen: g}, nil
}

// RateLimit returns the last known rate-limit state, shared by every goroutine.
func (c *Client) RateLimit() RateLimit { return c.t.RateLimit() }

// ListContacts returns one page of contacts matching params (nil for the first page of all).
func (c *Client) ListContacts(ctx context.Context, params *gen.ListContactsParams) (*gen.ContactList, *Response, error) {
	resp, err := c.gen.ListContacts(ctx, params)
	return decode[gen.ContactList](c, resp, err)
}

// CreateContact creates a contact; it needs an email or a phone number.
func (c *Client) CreateContact(ctx context.Context, body gen.CreateContactRequest) (*gen.Contact, *Response, error) {
	resp, err := c.gen.CreateContact(ctx, body)
	return contact(decode[gen.ContactEnvelope](c, resp, err))
}

// UpdateContact changes the names, tags or custom fields of the contact named by exactly one of
// email or phone number.
func (c *Client) UpdateContact(ctx context.Context, body gen.UpdateContactRequest) (*gen.Contact, *Response, error) {
	resp, err := c.gen.UpdateContact(ctx, body)
	return contact(decode[gen.ContactEnvelope](c, resp, err))
}

// UnsubscribeContact unsubscribes a contact from all email marketing.
func (c *Client) UnsubscribeContact(ctx context.Context, body gen.UnsubscribeContactRequest) (*gen.Contact, *Response, error) {
	resp, err := c.gen.UnsubscribeContact(ctx, body)
	return contact(decode[gen.ContactEnvelope](c, resp, err))
}

// DeleteContact removes a contact and returns it; the contact is nil when the API answers 204.
func (c *Client) DeleteContact(ctx context.Context, body gen.DeleteContactRequest) (*gen.Contact, *Response, error) {
	resp, err := c.gen.DeleteContact(ctx, body)
	return contact(decode[gen.ContactEnvelope](c, resp, err))
}

func contact(env *gen.ContactEnvelope, r *Response, err error) (*gen.Contact, *Response, error) {
	if env == nil {
		return nil, r, err
	}
	return &env.Data, r, err
}

// decode turns a response into a value of T (nil for an empty 2xx body) or an *Error.
func decode[T any](c *Client, resp *http.Response, err error) (*T, *Response, error) {
	if err != nil {
		return nil, nil, err
	}
	r := &Response{Response: resp, RateLimit: parseRateLimit(resp.Header)}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, r, responseError(resp, c.t.o.clock.Now())
	}
	defer discard(resp)
	var v T
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, r, nil // 204, or any 2xx without a body
		}
		return nil, r, fmt.Errorf("privy: %s %s: decoding the %d response: %w", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, err)
	}
	return &v, r, nil
}

// Ptr returns a pointer to v, for the optional fields of the generated types:
// gen.CreateContactRequest{Email: privy.Ptr("jane@example.com")}.
func Ptr[T any](v T) *T { return &v }
