package privytest

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/privy-go/privy-go/gen"
)

// Messages of the errors the store answers with.
const (
	msgNotFound      = "The contact could not be found"
	msgEmailTaken    = "A contact with this email already exists"
	msgPhoneTaken    = "A contact with this phone number already exists"
	msgSMSCountry    = "requires a phone number from a supported country"
	msgSMSUnsubNew   = "cannot be unsubscribed for a new contact"
	msgInvalidFields = "One or more fields are invalid"
)

// SupportedSMSCountries lists the country calling codes the fake accepts for
// sms_consent "subscribed": the United States and Canada (+1), the United Kingdom (+44) and
// Australia (+61).
var SupportedSMSCountries = []string{"+1", "+44", "+61"}

// apiError is an error answer of an operation: its status, code, message and details.
type apiError struct {
	status  int
	code    gen.ErrorCode
	message string
	details []gen.ErrorDetail
}

func (e *apiError) envelope() gen.ErrorEnvelope {
	env := gen.ErrorEnvelope{Error: gen.ErrorBody{Code: e.code, Message: e.message}}
	if len(e.details) > 0 {
		d := slices.Clone(e.details)
		env.Error.Details = &d
	}
	return env
}

var errNotFound = &apiError{status: 404, code: gen.ErrorCodeNotFound, message: msgNotFound}

// record is one stored contact.
type record struct {
	c   gen.Contact
	seq uint64 // creation order, the tie-breaker of equal created_at
}

func compareRecords(a, b *record) int {
	if c := a.c.CreatedAt.Compare(b.c.CreatedAt); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

// store holds the contacts: a slice ordered by (created_at, creation order) for paging, and
// maps from email (lower-cased) and phone number to the same records. Deleted contacts stay
// in separate maps so that creating them again restores them. The caller holds Fake.mu.
type store struct {
	order          []*record
	byEmail        map[string]*record
	byPhone        map[string]*record
	deletedByEmail map[string]*record
	deletedByPhone map[string]*record
	seq            uint64
}

func newStore() *store {
	return &store{
		byEmail: map[string]*record{}, byPhone: map[string]*record{},
		deletedByEmail: map[string]*record{}, deletedByPhone: map[string]*record{},
	}
}

func emailKey(email string) string { return strings.ToLower(email) }

// insert puts r at its place in order: usually the end.
func (s *store) insert(r *record) {
	if n := len(s.order); n == 0 || compareRecords(s.order[n-1], r) < 0 {
		s.order = append(s.order, r)
	} else {
		i, _ := slices.BinarySearchFunc(s.order, r, compareRecords)
		s.order = slices.Insert(s.order, i, r)
	}
	if r.c.Email != nil {
		s.byEmail[emailKey(*r.c.Email)] = r
	}
	if r.c.PhoneNumber != nil {
		s.byPhone[*r.c.PhoneNumber] = r
	}
}

// remove takes r out of the live contacts and remembers it as deleted.
func (s *store) remove(r *record) {
	if i, ok := slices.BinarySearchFunc(s.order, r, compareRecords); ok {
		s.order = slices.Delete(s.order, i, i+1)
	}
	if r.c.Email != nil {
		k := emailKey(*r.c.Email)
		delete(s.byEmail, k)
		s.deletedByEmail[k] = r
	}
	if r.c.PhoneNumber != nil {
		delete(s.byPhone, *r.c.PhoneNumber)
		s.deletedByPhone[*r.c.PhoneNumber] = r
	}
}

// find returns the live contact named by email or phone number.
func (s *store) find(email, phone *string) *record {
	if email != nil {
		return s.byEmail[emailKey(*email)]
	}
	if phone != nil {
		return s.byPhone[*phone]
	}
	return nil
}

func supportedSMSCountry(phone string) bool {
	for _, cc := range SupportedSMSCountries {
		if strings.HasPrefix(phone, cc) {
			return true
		}
	}
	return false
}

// create adds a contact, or restores a deleted one that has the same email or phone number.
func (s *store) create(req gen.CreateContactRequest, now time.Time) (gen.Contact, *apiError) {
	var details []gen.ErrorDetail
	if req.SmsConsent != nil {
		switch *req.SmsConsent {
		case gen.ConsentSubscribed:
			if req.PhoneNumber == nil || !supportedSMSCountry(*req.PhoneNumber) {
				details = append(details, gen.ErrorDetail{Field: "sms_consent", Message: msgSMSCountry})
			}
		case gen.ConsentUnsubscribed:
			details = append(details, gen.ErrorDetail{Field: "sms_consent", Message: msgSMSUnsubNew})
		}
	}
	if len(details) > 0 {
		return gen.Contact{}, &apiError{status: 422, code: gen.ErrorCodeValidationFailed, message: msgInvalidFields, details: details}
	}
	if req.Email != nil && s.byEmail[emailKey(*req.Email)] != nil {
		return gen.Contact{}, &apiError{status: 409, code: gen.ErrorCodeConflict, message: msgEmailTaken}
	}
	if req.PhoneNumber != nil && s.byPhone[*req.PhoneNumber] != nil {
		return gen.Contact{}, &apiError{status: 409, code: gen.ErrorCodeConflict, message: msgPhoneTaken}
	}
	var r *record
	if req.Email != nil {
		r = s.deletedByEmail[emailKey(*req.Email)]
	}
	if r == nil && req.PhoneNumber != nil {
		r = s.deletedByPhone[*req.PhoneNumber]
	}
	if r != nil { // restore: the contact keeps its created_at and takes the new data
		s.forgetDeleted(r)
	} else {
		s.seq++
		r = &record{seq: s.seq}
		r.c.CreatedAt = now
	}
	// The new identifiers now belong to a live contact; drop stale deleted entries.
	if req.Email != nil {
		delete(s.deletedByEmail, emailKey(*req.Email))
	}
	if req.PhoneNumber != nil {
		delete(s.deletedByPhone, *req.PhoneNumber)
	}
	emailConsent := gen.ConsentNonSubscribed
	if req.EmailConsent != nil {
		emailConsent = *req.EmailConsent
	}
	smsConsent := gen.ConsentNonSubscribed
	if req.SmsConsent != nil {
		smsConsent = *req.SmsConsent
	}
	r.c = gen.Contact{
		FirstName:              clonePtr(req.FirstName),
		LastName:               clonePtr(req.LastName),
		Email:                  clonePtr(req.Email),
		EmailPermission:        emailConsent,
		PhoneNumber:            clonePtr(req.PhoneNumber),
		ContactPhonePermission: smsConsent,
		Tags:                   cloneTags(&req.Tags),
		CustomFields:           cloneFields(&req.CustomFields),
		CreatedAt:              r.c.CreatedAt,
		UpdatedAt:              now,
	}
	s.insert(r)
	return cloneContact(r.c), nil
}

func (s *store) forgetDeleted(r *record) {
	if r.c.Email != nil && s.deletedByEmail[emailKey(*r.c.Email)] == r {
		delete(s.deletedByEmail, emailKey(*r.c.Email))
	}
	if r.c.PhoneNumber != nil && s.deletedByPhone[*r.c.PhoneNumber] == r {
		delete(s.deletedByPhone, *r.c.PhoneNumber)
	}
}

// update changes the mutable fields of the contact named by exactly one identifier.
func (s *store) update(req gen.UpdateContactRequest, now time.Time) (gen.Contact, *apiError) {
	r := s.find(req.Email, req.PhoneNumber)
	if r == nil {
		return gen.Contact{}, errNotFound
	}
	if req.FirstName != nil {
		r.c.FirstName = clonePtr(req.FirstName)
	}
	if req.LastName != nil {
		r.c.LastName = clonePtr(req.LastName)
	}
	if req.Tags != nil {
		r.c.Tags = cloneTags(req.Tags)
	}
	if req.CustomFields != nil {
		r.c.CustomFields = cloneFields(req.CustomFields)
	}
	r.c.UpdatedAt = now
	return cloneContact(r.c), nil
}

// unsubscribe sets email_permission to unsubscribed; a second call changes nothing.
func (s *store) unsubscribe(req gen.UnsubscribeContactRequest, now time.Time) (gen.Contact, *apiError) {
	r := s.find(req.Email, req.PhoneNumber)
	if r == nil {
		return gen.Contact{}, errNotFound
	}
	if r.c.EmailPermission != gen.ConsentUnsubscribed {
		r.c.EmailPermission = gen.ConsentUnsubscribed
		r.c.UpdatedAt = now
	}
	return cloneContact(r.c), nil
}

// delete removes the contact and returns it.
func (s *store) delete(req gen.DeleteContactRequest) (gen.Contact, *apiError) {
	r := s.find(req.Email, req.PhoneNumber)
	if r == nil {
		return gen.Contact{}, errNotFound
	}
	s.remove(r)
	return cloneContact(r.c), nil
}

// list returns one page of the contacts matching the filters, in created_at order. Without
// filters a page costs O(per_page); an email or phone filter is a map lookup; the consent
// filters scan the store.
func (s *store) list(p gen.ListContactsParams) gen.ContactList {
	page, perPage := 1, 25
	if p.Page != nil {
		page = *p.Page
	}
	if p.PerPage != nil {
		perPage = *p.PerPage
	}
	out := gen.ContactList{Data: []gen.Contact{}}
	match := func(r *record) bool {
		c := &r.c
		if p.Email != nil && (c.Email == nil || emailKey(*c.Email) != emailKey(*p.Email)) {
			return false
		}
		if p.PhoneNumber != nil && (c.PhoneNumber == nil || *c.PhoneNumber != *p.PhoneNumber) {
			return false
		}
		if p.EmailPermission != nil && c.EmailPermission != *p.EmailPermission {
			return false
		}
		if p.ContactPhonePermission != nil && c.ContactPhonePermission != *p.ContactPhonePermission {
			return false
		}
		return true
	}
	var candidates []*record
	filtered := true
	switch {
	case p.Email != nil:
		if r := s.byEmail[emailKey(*p.Email)]; r != nil {
			candidates = []*record{r}
		}
	case p.PhoneNumber != nil:
		if r := s.byPhone[*p.PhoneNumber]; r != nil {
			candidates = []*record{r}
		}
	case p.EmailPermission != nil || p.ContactPhonePermission != nil:
		candidates = s.order
	default:
		candidates, filtered = s.order, false
	}
	start := -1 // index among matches where the page starts; -1 when past the end
	if page >= 1 && page-1 <= len(candidates)/perPage {
		start = (page - 1) * perPage
	}
	total := 0
	if !filtered {
		total = len(candidates)
		if start >= 0 && start < total {
			for _, r := range candidates[start:min(total, start+perPage)] {
				out.Data = append(out.Data, cloneContact(r.c))
			}
		}
	} else {
		for _, r := range candidates {
			if !match(r) {
				continue
			}
			if start >= 0 && total >= start && total < start+perPage {
				out.Data = append(out.Data, cloneContact(r.c))
			}
			total++
		}
	}
	out.Pagination = gen.Pagination{Page: page, PerPage: perPage, TotalCount: total, TotalPages: (total + perPage - 1) / perPage}
	return out
}

// snapshot returns copies of every live contact in created_at order.
func (s *store) snapshot() []gen.Contact {
	out := make([]gen.Contact, len(s.order))
	for i, r := range s.order {
		out[i] = cloneContact(r.c)
	}
	return out
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneTags(t *gen.Tags) gen.Tags {
	if t == nil || *t == nil {
		return gen.Tags{}
	}
	return slices.Clone(*t)
}

// cloneFields copies custom fields, dropping null values (a null clears the field).
func cloneFields(f *gen.CustomFields) gen.CustomFields {
	out := gen.CustomFields{}
	if f == nil {
		return out
	}
	for k, v := range *f {
		if v != nil {
			out[k] = v
		}
	}
	return out
}

func cloneContact(c gen.Contact) gen.Contact {
	c.FirstName, c.LastName = clonePtr(c.FirstName), clonePtr(c.LastName)
	c.Email, c.PhoneNumber = clonePtr(c.Email), clonePtr(c.PhoneNumber)
	c.Tags = slices.Clone(c.Tags)
	if c.Tags == nil {
		c.Tags = gen.Tags{}
	}
	c.CustomFields = maps.Clone(c.CustomFields)
	if c.CustomFields == nil {
		c.CustomFields = gen.CustomFields{}
	}
	return c
}
