package privy

import "github.com/privy-go/privy-go/gen"

// The types of the API, as generated from openapi.yaml into package gen; callers of privy need
// not import gen. Optional fields are pointers: nil means absent (an Email may be nil for a
// contact known by phone number alone).
type (
	// Contact is a contact as the API returns it.
	Contact = gen.Contact
	// ContactList is one page of contacts with its pagination.
	ContactList = gen.ContactList
	// Pagination says which page a ContactList is and how many there are.
	Pagination = gen.Pagination
	// ListContactsParams filters and pages ListContacts and Contacts; nil fields are not sent.
	ListContactsParams = gen.ListContactsParams
	// CreateContactRequest is the body of CreateContact; it needs an email or a phone number.
	CreateContactRequest = gen.CreateContactRequest
	// UpdateContactRequest is the body of UpdateContact: exactly one identifier and the fields
	// to change. A nil Tags leaves the tags alone; a pointer to an empty slice removes them all.
	UpdateContactRequest = gen.UpdateContactRequest
	// UnsubscribeContactRequest is the body of UnsubscribeContact.
	UnsubscribeContactRequest = gen.UnsubscribeContactRequest
	// DeleteContactRequest is the body of DeleteContact.
	DeleteContactRequest = gen.DeleteContactRequest
	// CustomFields holds a contact's custom fields, a flat key-value object.
	CustomFields = gen.CustomFields
	// Consent is a marketing consent state (email_permission, contact_phone_permission).
	Consent = gen.Consent
	// ErrorCode is the code of an API error, as in Error.Code.
	ErrorCode = gen.ErrorCode
	// ErrorDetail is one field that failed validation, as in Error.Details.
	ErrorDetail = gen.ErrorDetail
)

// The consent states of the spec's Consent enum.
const (
	ConsentSubscribed    = gen.ConsentSubscribed
	ConsentUnsubscribed  = gen.ConsentUnsubscribed
	ConsentNonSubscribed = gen.ConsentNonSubscribed
)

// The error codes of the spec's ErrorCode enum; each has a sentinel error (ErrNotFound for
// ErrorCodeNotFound, ...).
const (
	ErrorCodeInvalidClient     = gen.ErrorCodeInvalidClient
	ErrorCodeInvalidScope      = gen.ErrorCodeInvalidScope
	ErrorCodeUnauthorized      = gen.ErrorCodeUnauthorized
	ErrorCodeInsufficientScope = gen.ErrorCodeInsufficientScope
	ErrorCodeNotFound          = gen.ErrorCodeNotFound
	ErrorCodeConflict          = gen.ErrorCodeConflict
	ErrorCodeValidationFailed  = gen.ErrorCodeValidationFailed
	ErrorCodeRateLimited       = gen.ErrorCodeRateLimited
)
