package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy"
)

func (a *app) contactsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "contacts",
		Short: "List, export, import, create, update, unsubscribe and delete contacts",
		Args:  argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return &usageError{msg: "contacts: name a subcommand (list, export, import, create, update, unsubscribe, delete)"}
		},
	}
	cmd.AddCommand(a.listCommand(), a.exportCommand(), a.importCommand(),
		a.createCommand(), a.updateCommand(), a.unsubscribeCommand(), a.deleteCommand())
	return cmd
}

// listFilters are the filters list and export share.
type listFilters struct {
	email, phone, emailPermission, smsPermission string
}

func (f *listFilters) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.email, "email", "", "only the contact with this email")
	fs.StringVar(&f.phone, "phone", "", "only the contact with this phone number (E.164)")
	fs.StringVar(&f.emailPermission, "email-permission", "", "only contacts with this email consent: subscribed, unsubscribed or non_subscribed")
	fs.StringVar(&f.smsPermission, "sms-permission", "", "only contacts with this SMS consent")
}

func (f *listFilters) params() *gen.ListContactsParams {
	p := &gen.ListContactsParams{}
	if f.email != "" {
		p.Email = &f.email
	}
	if f.phone != "" {
		p.PhoneNumber = &f.phone
	}
	if f.emailPermission != "" {
		c := gen.Consent(f.emailPermission)
		p.EmailPermission = &c
	}
	if f.smsPermission != "" {
		c := gen.Consent(f.smsPermission)
		p.ContactPhonePermission = &c
	}
	return p
}

func (a *app) listCommand() *cobra.Command {
	var (
		filters       listFilters
		page, perPage int
		all           bool
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List contacts: a table on a terminal, JSON otherwise (or with --output json)",
		Long: `List contacts, one page at a time, or every page with --all.

On a terminal the contacts are shown as a table; with --output json, or when stdout is not
a terminal, they are written as a JSON array of contacts (as the API returns them).`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if all && (changed(cmd.Flags(), "page")) {
				return usageErrorf("--all and --page cannot be combined")
			}
			c, err := a.newClient()
			if err != nil {
				return err
			}
			params := filters.params()
			if changed(cmd.Flags(), "page") {
				params.Page = &page
			}
			if changed(cmd.Flags(), "per-page") {
				params.PerPage = &perPage
			}
			sink, table := a.listSink()
			if all {
				if params.PerPage == nil {
					hundred := 100
					params.PerPage = &hundred
				}
				for contact, err := range c.Contacts(a.ctx, params) {
					if err != nil {
						sink.Close()
						return err
					}
					if err := sink.Write(contact); err != nil {
						return err
					}
				}
				return sink.Close()
			}
			list, _, err := c.ListContacts(a.ctx, params)
			if err != nil {
				return err
			}
			for _, contact := range list.Data {
				if err := sink.Write(contact); err != nil {
					return err
				}
			}
			if err := sink.Close(); err != nil {
				return err
			}
			if p := list.Pagination; !table && p.TotalPages > p.Page {
				fmt.Fprintf(a.stderr, "note: this is page %d of %d (%d contacts); use --all for every page, or --page N\n",
					p.Page, p.TotalPages, p.TotalCount)
			}
			if table {
				p := list.Pagination
				if p.TotalCount == 0 {
					fmt.Fprintln(a.stdout, "no contacts match")
				} else {
					fmt.Fprintf(a.stdout, "page %d of %d (%d contacts, %d per page)\n", p.Page, p.TotalPages, p.TotalCount, p.PerPage)
				}
			}
			return nil
		},
	}
	filters.register(cmd.Flags())
	cmd.Flags().IntVar(&page, "page", 1, "page number, from 1")
	cmd.Flags().IntVar(&perPage, "per-page", 25, "contacts per page, 1 to 100")
	cmd.Flags().BoolVar(&all, "all", false, "walk every page")
	return cmd
}

// listSink returns where list writes: a table, or a JSON array.
func (a *app) listSink() (contactSink, bool) {
	if useTable(a.output, a.stdout) {
		return newContactTable(a.stdout), true
	}
	s, _ := newSink(formatJSON, a.stdout)
	return s, false
}

// printContact prints one contact: a field list on a terminal, JSON otherwise.
func (a *app) printContact(c *gen.Contact, verb string) error {
	if c == nil { // a 204 from delete
		if useTable(a.output, a.stdout) {
			_, err := fmt.Fprintf(a.stdout, "%s\n", verb)
			return err
		}
		return writeJSON(a.stdout, nil)
	}
	if useTable(a.output, a.stdout) {
		return writeContactDetail(a.stdout, *c)
	}
	return writeJSON(a.stdout, c)
}

// contactFlags are the field flags of create and update.
type contactFlags struct {
	email, phone, firstName, lastName string
	tags, fields                      []string
	emailConsent, smsConsent          string
	reason                            string
}

func (f *contactFlags) registerIdentity(fs *pflag.FlagSet) {
	fs.StringVar(&f.email, "email", "", "email address")
	fs.StringVar(&f.phone, "phone", "", "phone number in E.164 format, e.g. +15551234567")
}

func (f *contactFlags) registerFields(fs *pflag.FlagSet) {
	fs.StringVar(&f.firstName, "first-name", "", "first name")
	fs.StringVar(&f.lastName, "last-name", "", "last name")
	fs.StringArrayVar(&f.tags, "tag", nil, "a tag (repeat for several; on update, replaces all tags)")
	fs.StringArrayVar(&f.fields, "field", nil, `a custom field as key=value (repeat for several); numbers and true/false are sent as such, '"..."' forces a string`)
}

// identity returns the --email and --phone values given (nil when absent).
func (f *contactFlags) identity(fs *pflag.FlagSet) (email, phone *string) {
	if changed(fs, "email") {
		email = &f.email
	}
	if changed(fs, "phone") {
		phone = &f.phone
	}
	return email, phone
}

// update returns the identity and the mutable fields given on the command line.
func (f *contactFlags) update(fs *pflag.FlagSet) (gen.UpdateContactRequest, error) {
	var req gen.UpdateContactRequest
	req.Email, req.PhoneNumber = f.identity(fs)
	if changed(fs, "first-name") {
		req.FirstName = &f.firstName
	}
	if changed(fs, "last-name") {
		req.LastName = &f.lastName
	}
	if changed(fs, "tag") {
		req.Tags = &f.tags
	}
	if changed(fs, "field") {
		cf, err := parseFieldFlags(f.fields)
		if err != nil {
			return req, err
		}
		req.CustomFields = &cf
	}
	return req, nil
}

// send builds the client, makes one call and prints the contact it returns.
func (a *app) send(verb string, call func(*privy.Client) (*gen.Contact, *privy.Response, error)) error {
	c, err := a.newClient()
	if err != nil {
		return err
	}
	contact, _, err := call(c)
	if err != nil {
		return err
	}
	return a.printContact(contact, verb)
}

func (a *app) createCommand() *cobra.Command {
	var f contactFlags
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a contact (--email or --phone required)",
		Args:  argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			u, err := f.update(cmd.Flags())
			if err != nil {
				return err
			}
			req := gen.CreateContactRequest{Email: u.Email, PhoneNumber: u.PhoneNumber, FirstName: u.FirstName,
				LastName: u.LastName, Tags: u.Tags, CustomFields: u.CustomFields}
			if changed(cmd.Flags(), "email-consent") {
				c := gen.Consent(f.emailConsent)
				req.EmailConsent = &c
			}
			if changed(cmd.Flags(), "sms-consent") {
				c := gen.Consent(f.smsConsent)
				req.SmsConsent = &c
			}
			return a.send("created", func(c *privy.Client) (*gen.Contact, *privy.Response, error) {
				return c.CreateContact(a.ctx, req)
			})
		},
	}
	f.registerIdentity(cmd.Flags())
	f.registerFields(cmd.Flags())
	cmd.Flags().StringVar(&f.emailConsent, "email-consent", "", "email consent: subscribed, unsubscribed or non_subscribed (default non_subscribed)")
	cmd.Flags().StringVar(&f.smsConsent, "sms-consent", "", "SMS consent: subscribed or non_subscribed")
	cmd.MarkFlagsOneRequired("email", "phone")
	return cmd
}

func (a *app) updateCommand() *cobra.Command {
	var f contactFlags
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Update a contact named by --email or --phone",
		Long: `Update the contact named by --email or --phone (which cannot themselves be changed).
--tag replaces all tags and --field replaces all custom fields. Consents cannot be
changed by an update: use "privy contacts unsubscribe" to withdraw email consent.`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := f.update(cmd.Flags())
			if err != nil {
				return err
			}
			if req.FirstName == nil && req.LastName == nil && req.Tags == nil && req.CustomFields == nil {
				return usageErrorf("update: give at least one of --first-name, --last-name, --tag, --field")
			}
			return a.send("updated", func(c *privy.Client) (*gen.Contact, *privy.Response, error) {
				return c.UpdateContact(a.ctx, req)
			})
		},
	}
	f.registerIdentity(cmd.Flags())
	f.registerFields(cmd.Flags())
	cmd.MarkFlagsOneRequired("email", "phone")
	cmd.MarkFlagsMutuallyExclusive("email", "phone")
	return cmd
}

func (a *app) unsubscribeCommand() *cobra.Command {
	var f contactFlags
	cmd := &cobra.Command{
		Use:   "unsubscribe",
		Short: "Unsubscribe a contact named by --email or --phone from all email marketing",
		Args:  argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := gen.UnsubscribeContactRequest{}
			req.Email, req.PhoneNumber = f.identity(cmd.Flags())
			if changed(cmd.Flags(), "reason") {
				req.Reason = &f.reason
			}
			return a.send("unsubscribed", func(c *privy.Client) (*gen.Contact, *privy.Response, error) {
				return c.UnsubscribeContact(a.ctx, req)
			})
		},
	}
	f.registerIdentity(cmd.Flags())
	cmd.Flags().StringVar(&f.reason, "reason", "", "why (at most 500 characters)")
	cmd.MarkFlagsOneRequired("email", "phone")
	cmd.MarkFlagsMutuallyExclusive("email", "phone")
	return cmd
}

func (a *app) deleteCommand() *cobra.Command {
	var f contactFlags
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a contact named by --email or --phone",
		Args:  argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := gen.DeleteContactRequest{}
			req.Email, req.PhoneNumber = f.identity(cmd.Flags())
			return a.send("deleted", func(c *privy.Client) (*gen.Contact, *privy.Response, error) {
				return c.DeleteContact(a.ctx, req)
			})
		},
	}
	f.registerIdentity(cmd.Flags())
	cmd.MarkFlagsOneRequired("email", "phone")
	cmd.MarkFlagsMutuallyExclusive("email", "phone")
	return cmd
}
