package privytest

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/privy-go/privy-go/gen"
)

var (
	seedFirstNames = []string{"Jane", "John", "Amelia", "Oliver", "Mia", "Noah", "Isla", "Liam", "Ava", "Lucas",
		"Chloe", "Ethan", "Grace", "Mateo", "Zoe", "Arjun", "Hana", "Kofi", "Sofia", "Yuki"}
	seedLastNames = []string{"Doe", "Smith", "Nguyen", "Garcia", "Brown", "Williams", "Patel", "Kim", "Okafor",
		"Rossi", "Müller", "Jones", "Taylor", "Chen", "Silva", "Murphy", "Cohen", "Haddad", "Larsen", "Walker"}
	seedDomains = []string{"example.com", "example.org", "example.net", "mail.example.com"}
	seedTags    = []string{"vip", "newsletter", "beta", "wholesale", "churn-risk", "event-2025", "referral"}
	seedTiers   = []string{"bronze", "silver", "gold", "platinum"}
	seedSources = []string{"checkout", "popup", "import", "event", "api"}
	// seedPhones are E.164 prefixes of supported SMS countries; a unique number follows.
	seedPhones  = []string{"+1555", "+44770", "+6141"}
	seedConsent = []gen.Consent{gen.ConsentSubscribed, gen.ConsentUnsubscribed, gen.ConsentNonSubscribed}
)

// Seed adds n realistic contacts, deterministic by seed for a given store and clock: names,
// unique emails and E.164 numbers of supported countries, tags, custom fields and mixed
// consents; about one in seven contacts has a phone number only and one in seven an email
// only. Their created_at times lie one minute apart, ending at the clock's current time.
// Seeding skips identifiers already in use and costs no rate-limit budget.
func (f *Fake) Seed(seed int64, n int) {
	if n <= 0 {
		return
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	now := f.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.store
	base := s.seq                                    // makes identifiers unique across calls
	if len(s.order) == 0 && len(s.deleted[0]) == 0 { // size the indexes once
		for j := range s.live {
			s.live[j] = make(map[string]*record, n)
		}
	}
	added := make([]*record, 0, n)
	for i := range n {
		id := strconv.FormatUint(base+uint64(i)+1, 10)
		first := seedFirstNames[rng.IntN(len(seedFirstNames))]
		last := seedLastNames[rng.IntN(len(seedLastNames))]
		c := gen.Contact{
			FirstName:              &first,
			LastName:               &last,
			EmailPermission:        gen.ConsentNonSubscribed,
			ContactPhonePermission: gen.ConsentNonSubscribed,
			Tags:                   gen.Tags{},
			CustomFields:           gen.CustomFields{},
		}
		kind := rng.IntN(7) // 0: phone only, 1: email only, else both
		if kind != 0 {
			email := asciiLower(first) + "." + asciiLower(last) + id + "@" + seedDomains[rng.IntN(len(seedDomains))]
			c.Email = &email
			c.EmailPermission = seedConsent[rng.IntN(len(seedConsent))]
		}
		if kind != 1 {
			digits := strconv.FormatUint(base+uint64(i)+1, 10)
			for len(digits) < 7 {
				digits = "0" + digits
			}
			phone := seedPhones[rng.IntN(len(seedPhones))] + digits
			c.PhoneNumber = &phone
			c.ContactPhonePermission = seedConsent[rng.IntN(len(seedConsent))]
		}
		if (c.Email != nil && s.taken(*c.Email)) || (c.PhoneNumber != nil && s.taken(*c.PhoneNumber)) {
			continue
		}
		for _, t := range seedTags {
			if rng.IntN(4) == 0 {
				c.Tags = append(c.Tags, t)
			}
		}
		if rng.IntN(3) != 0 {
			c.CustomFields["loyalty_tier"] = seedTiers[rng.IntN(len(seedTiers))]
		}
		if rng.IntN(2) == 0 {
			c.CustomFields["signup_source"] = seedSources[rng.IntN(len(seedSources))]
		}
		if rng.IntN(3) == 0 {
			c.CustomFields["lifetime_value"] = float64(rng.IntN(500000)) / 100
		}
		if rng.IntN(5) == 0 {
			c.CustomFields["wholesale"] = rng.IntN(2) == 0
		}
		c.CreatedAt = now.Add(-time.Duration(n-i) * time.Minute)
		c.UpdatedAt = c.CreatedAt.Add(time.Duration(rng.IntN(60)) * time.Second)
		s.seq++
		r := s.fromContact(c)
		r.seq = s.seq
		added = append(added, r)
		for j, k := range r.ids {
			if k != "" {
				s.live[j][k] = r
			}
		}
	}
	sorted := len(s.order) == 0 || len(added) == 0 || compareRecords(s.order[len(s.order)-1], added[0]) < 0
	s.order = append(s.order, added...)
	if !sorted {
		slices.SortStableFunc(s.order, compareRecords)
	}
}

// taken reports whether a live contact has v as one of its identifiers.
func (s *store) taken(v string) bool {
	for j, id := range s.sh.ids {
		if s.live[j][id.norm(v)] != nil {
			return true
		}
	}
	return false
}

// asciiLower lower-cases ASCII letters and drops everything else but digits, for the local
// part of seeded emails.
func asciiLower(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		}
	}
	return string(b)
}
