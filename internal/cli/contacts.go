package cli

import (
	"fmt"
	"maps"
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specmodel"
	"github.com/privy-go/privy-go/privy"
)

func (a *app) contactsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "contacts",
		Short: "List, export, import, create, update, unsubscribe and delete contacts",
		Example: `  privy --fake contacts list
  privy contacts create --email jane@example.com --first-name Jane
  privy contacts import contacts.csv --upsert`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return &usageError{msg: "contacts: name a subcommand (list, export, import, create, update, unsubscribe, delete)"}
		},
	}
	cmd.AddCommand(a.listCommand(), a.exportCommand(), a.importCommand(),
		a.createCommand(), a.updateCommand(), a.unsubscribeCommand(), a.deleteCommand(), a.syncCommand())
	return cmd
}

// listFilters are the query parameters of listContacts as flags, shared by list and export:
// every filter, and the paging parameters when paging is true.
type listFilters struct {
	flags fieldFlags
}

func (f *listFilters) register(fs *pflag.FlagSet, paging bool) {
	m := specmodel.MustLoad()
	normalizeAliases(fs)
	f.flags = registerFieldFlags(fs, m.Filters)
	for _, fl := range m.Filters {
		if fl.Contact != fl.Name { // named otherwise than the property (x-privy-contact-field)
			fs.Lookup(flagName(fl.Name)).Usage += " (matches the contact's " + fl.Contact + ")"
		}
	}
	if paging {
		f.flags = append(f.flags, registerFieldFlags(fs, m.Paging)...)
	}
}

func (f *listFilters) params() (*gen.ListContactsParams, error) {
	p, err := decodeFields[gen.ListContactsParams](f.flags.values())
	return &p, err
}

func (a *app) listCommand() *cobra.Command {
	var (
		filters listFilters
		all     bool
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List contacts: a table on a terminal, JSON otherwise (or with --output json)",
		Long: `List contacts, one page at a time, or every page with --all.

Each filter flag is a query parameter of the API (its name with _ as -); the flags follow
the API's spec. On a terminal the contacts are shown as a table; with --output json, or when
stdout is not a terminal, they are written as a JSON array of contacts (as the API returns
them).`,
		Example: `  privy --fake contacts list
  privy contacts list --email-permission subscribed --per-page 50
  privy contacts list --all --output json > contacts.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			params, err := filters.params()
			if err != nil {
				return err
			}
			if all && params.Page != nil {
				return usageErrorf("--all and --page cannot be combined")
			}
			c, err := a.newClient()
			if err != nil {
				return err
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
	filters.register(cmd.Flags(), true)
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

// contactFlags are the flags of a request naming a contact: the identity flags (the
// identifier fields of the spec) and, for create and update, the request's other fields.
type contactFlags struct {
	identity fieldFlags
	fields   fieldFlags
}

// register adds the identity flags and, when fields is not nil, a flag for each other field;
// exactly names whether only one identifier may be given.
func (f *contactFlags) register(cmd *cobra.Command, fields []specmodel.Field, exactly bool) {
	m := specmodel.MustLoad()
	fs := cmd.Flags()
	normalizeAliases(fs)
	var ids, rest []specmodel.Field
	all := fields
	if all == nil {
		all = m.Create
	}
	for _, fld := range all {
		if slices.Contains(m.Identity, fld.Name) {
			ids = append(ids, fld)
		} else if fields != nil {
			rest = append(rest, fld)
		}
	}
	f.identity = registerFieldFlags(fs, ids)
	f.fields = registerFieldFlags(fs, rest)
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = flagName(id.Name)
	}
	cmd.MarkFlagsOneRequired(names...)
	if exactly {
		cmd.MarkFlagsMutuallyExclusive(names...)
	}
}

// values returns the identity and field values given on the command line, by field name.
func (f *contactFlags) values() map[string]any {
	v := f.identity.values()
	maps.Copy(v, f.fields.values())
	return v
}

// identityHelp names the identity flags for help texts: "--email or --phone-number".
func identityHelp() string {
	m := specmodel.MustLoad()
	var ids []specmodel.Field
	for _, name := range m.Identity {
		if f, ok := specmodel.Find(m.Create, name); ok {
			ids = append(ids, f)
		}
	}
	return flagList(ids)
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
		Short: "Create a contact (" + identityHelp() + " required)",
		Long: `Create a contact. Each field flag is a property of the API's create request (its name
with _ as -); the flags follow the API's spec, and the values are checked against it before
anything is sent: a bad value is refused naming the field (exit 1).`,
		Example: `  privy --fake contacts create --email jane@example.com --first-name Jane --tag vip
  privy contacts create --phone +15551234567 --sms-consent subscribed --field tier=gold`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := decodeFields[gen.CreateContactRequest](f.values())
			if err != nil {
				return err
			}
			return a.send("created", func(c *privy.Client) (*gen.Contact, *privy.Response, error) {
				return c.CreateContact(a.ctx, req)
			})
		},
	}
	f.register(cmd, specmodel.MustLoad().Create, false)
	return cmd
}

func (a *app) updateCommand() *cobra.Command {
	var f contactFlags
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Update a contact named by " + identityHelp(),
		Long: `Update the contact named by ` + identityHelp() + ` (which cannot themselves be changed).
Each other flag is a property of the API's update request; an array or object given replaces
the stored one (all tags, all custom fields). Consents cannot be changed by an update: use
"privy contacts unsubscribe" to withdraw email consent.`,
		Example: `  privy --fake contacts update --email jane@example.com --last-name Roe
  privy contacts update --phone +15551234567 --tag vip --tag beta --field tier=gold`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(f.fields.values()) == 0 {
				var fields []specmodel.Field
				for _, ff := range f.fields {
					fields = append(fields, ff.field)
				}
				return usageErrorf("update: give at least one of %s", flagList(fields))
			}
			req, err := decodeFields[gen.UpdateContactRequest](f.values())
			if err != nil {
				return err
			}
			return a.send("updated", func(c *privy.Client) (*gen.Contact, *privy.Response, error) {
				return c.UpdateContact(a.ctx, req)
			})
		},
	}
	f.register(cmd, specmodel.MustLoad().Update, true)
	return cmd
}

func (a *app) unsubscribeCommand() *cobra.Command {
	var f contactFlags
	cmd := &cobra.Command{
		Use:   "unsubscribe",
		Short: "Unsubscribe a contact named by " + identityHelp() + " from all email marketing",
		Example: `  privy --fake contacts unsubscribe --email jane@example.com
  privy contacts unsubscribe --phone +15551234567 --reason "asked by phone"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := decodeFields[gen.UnsubscribeContactRequest](f.values())
			if err != nil {
				return err
			}
			return a.send("unsubscribed", func(c *privy.Client) (*gen.Contact, *privy.Response, error) {
				return c.UnsubscribeContact(a.ctx, req)
			})
		},
	}
	f.register(cmd, specmodel.MustLoad().Unsubscribe, true)
	return cmd
}

func (a *app) deleteCommand() *cobra.Command {
	var f contactFlags
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a contact named by " + identityHelp(),
		Example: `  privy --fake contacts delete --email jane@example.com
  privy contacts delete --phone +15551234567 --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := decodeFields[gen.DeleteContactRequest](f.values())
			if err != nil {
				return err
			}
			return a.send("deleted", func(c *privy.Client) (*gen.Contact, *privy.Response, error) {
				return c.DeleteContact(a.ctx, req)
			})
		},
	}
	f.register(cmd, nil, true)
	return cmd
}
