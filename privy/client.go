package privy

import (
	"bytes"
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
func (c *Client) ListContacts(ctx context.Context, params *ListContactsParams) (*ContactList, *Response, error) {
	resp, err := c.gen.ListContacts(ctx, params)
	return decode[ContactList](c, resp, err)
}

// CreateContact creates a contact; it needs an email or a phone number.
func (c *Client) CreateContact(ctx context.Context, body CreateContactRequest) (*Contact, *Response, error) {
	resp, err := c.gen.CreateContact(ctx, body)
	return contact(decode[gen.ContactEnvelope](c, resp, err))
}

// UpdateContact changes the names, tags or custom fields of the contact named by exactly one of
// email or phone number.
func (c *Client) UpdateContact(ctx context.Context, body UpdateContactRequest) (*Contact, *Response, error) {
	resp, err := c.gen.UpdateContact(ctx, body)
	return contact(decode[gen.ContactEnvelope](c, resp, err))
}

// UnsubscribeContact unsubscribes a contact from all email marketing.
func (c *Client) UnsubscribeContact(ctx context.Context, body UnsubscribeContactRequest) (*Contact, *Response, error) {
	resp, err := c.gen.UnsubscribeContact(ctx, body)
	return contact(decode[gen.ContactEnvelope](c, resp, err))
}

// DeleteContact removes a contact and returns it; the contact is nil when the API answers 204.
func (c *Client) DeleteContact(ctx context.Context, body DeleteContactRequest) (*Contact, *Response, error) {
	resp, err := c.gen.DeleteContact(ctx, body)
	return contact(decode[gen.ContactEnvelope](c, resp, err))
}

func contact(env *gen.ContactEnvelope, r *Response, err error) (*Contact, *Response, error) {
	if env == nil {
		return nil, r, err
	}
	return &env.Data, r, err
}

// ErrMalformedResponse is the error of a success response whose body is not what the spec
// declares: empty, null, not a JSON object, or lacking a required property.
var ErrMalformedResponse = errors.New("privy: malformed response")

// decode turns a response into a value of T or an *Error. The body must have the shape the spec
// declares for the operation and status: a JSON object with its required properties, or nothing
// where the spec declares no body (T is then nil).
func decode[T any](c *Client, resp *http.Response, err error) (*T, *Response, error) {
	if err != nil {
		return nil, nil, err
	}
	r := &Response{Response: resp, RateLimit: parseRateLimit(resp.Header, c.t.o.clock.Now())}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, r, responseError(resp, c.t.o.clock.Now())
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	where := fmt.Sprintf("%s %s: the %d response", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode)
	if err != nil {
		var te *timeoutError
		if errors.As(err, &te) || errors.Is(err, ErrResponseTooLarge) {
			return nil, r, err // it names the request
		}
		return nil, r, fmt.Errorf("privy: %s: reading the body: %w", where, err)
	}
	shape := successBody{json: true}
	if op := c.t.operationOf(resp.Request); op != nil {
		shape = op.body(resp.StatusCode)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		if !shape.json {
			return nil, r, nil // a 204, where the spec allows it
		}
		return nil, r, fmt.Errorf("%w: %s has no body (expected a JSON object)", ErrMalformedResponse, where)
	}
	if !shape.json {
		return nil, r, nil // a body where the spec declares none: nothing to decode
	}
	var props map[string]json.RawMessage
	if err := json.Unmarshal(b, &props); err != nil || props == nil {
		return nil, r, fmt.Errorf("%w: %s is not a JSON object: %.40q", ErrMalformedResponse, where, c.t.scrub(b))
	}
	for _, name := range shape.required {
		if v, ok := props[name]; !ok || string(v) == "null" {
			return nil, r, fmt.Errorf("%w: %s lacks the required %q", ErrMalformedResponse, where, name)
		}
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, r, fmt.Errorf("%w: %s: %w", ErrMalformedResponse, where, err)
	}
	return &v, r, nil
}

// Ptr returns a pointer to v, for the optional fields of the generated types:
// CreateContactRequest{Email: privy.Ptr("jane@example.com")}.
func Ptr[T any](v T) *T { return &v }
