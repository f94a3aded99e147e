// arrow-go's Flight client (github.com/apache/arrow-go/v18/arrow/flight) against a running
// `quiver serve`: the checks of test/clients/README.md, one JSON line per check on stdout.
//
//	quiver-go-client --location grpc+tls://localhost:PORT --ca root-ca.pem [--cert c.pem --key c.key --mtls]
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

const (
	user     = "alice"
	password = "secret"
	timeout  = 30 * time.Second
)

var checks = []string{"handshake", "wrong_password", "put", "append", "list_flights", "read_endpoints", "not_found", "wrong_schema", "no_client_cert"}

// needs: a check runs only when the checks it builds on passed.
var needs = map[string][]string{
	"put": {"handshake"}, "append": {"put"}, "list_flights": {"append"}, "read_endpoints": {"append"},
	"not_found": {"handshake"}, "wrong_schema": {"put"},
}

type result struct {
	Check  string `json:"check"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	Ms     int64  `json:"ms"`
}

type session struct {
	location        string
	table           string
	expectLocations int
	tlsConfig       *tls.Config // nil: plain TCP
	noCert          *tls.Config // the same trust, without the client certificate
	client          flight.Client
	authCtx         context.Context
	mem             memory.Allocator
	written         []arrow.RecordBatch
	peers           []flight.Client
}

func main() {
	location := flag.String("location", "", "grpc+tcp://host:port or grpc+tls://host:port")
	table := flag.String("table", fmt.Sprintf("arrow-go-%d", time.Now().UnixNano()), "table name")
	ca := flag.String("ca", "", "PEM CA to trust (TLS)")
	cert := flag.String("cert", "", "PEM client certificate (mutual TLS)")
	key := flag.String("key", "", "PEM key of --cert")
	mtls := flag.Bool("mtls", false, "also check that a client without a certificate is refused")
	expectLocations := flag.Int("expect-locations", 1, "locations every endpoint lists (replicas)")
	flag.Parse()
	if *location == "" {
		fmt.Fprintln(os.Stderr, "--location is required")
		os.Exit(2)
	}
	s := &session{location: *location, table: *table, expectLocations: *expectLocations, mem: memory.NewGoAllocator()}
	if strings.HasPrefix(*location, "grpc+tls://") {
		var err error
		if s.tlsConfig, err = tlsConfig(*ca, *cert, *key); err == nil {
			s.noCert, err = tlsConfig(*ca, "", "")
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	failed := 0
	done := map[string]bool{}
	for _, name := range checks {
		if name == "no_client_cert" && !*mtls {
			continue
		}
		r := result{Check: name}
		var missing []string
		for _, n := range needs[name] {
			if !done[n] {
				missing = append(missing, n)
			}
		}
		started := time.Now()
		if len(missing) > 0 {
			r.Detail = "not run: " + strings.Join(missing, ", ") + " failed"
		} else {
			detail, err := s.run(name)
			r.OK, r.Detail = err == nil, detail
			if err != nil {
				r.Detail = err.Error()
			}
		}
		r.Ms = time.Since(started).Milliseconds()
		done[name] = r.OK
		if !r.OK {
			failed++
		}
		line, _ := json.Marshal(r)
		fmt.Println(string(line))
	}
	for _, p := range s.peers {
		p.Close()
	}
	if failed > 0 {
		os.Exit(1)
	}
}

func (s *session) run(name string) (string, error) {
	switch name {
	case "handshake":
		return s.handshake()
	case "wrong_password":
		return s.wrongPassword()
	case "put":
		return s.put(rowsBatch(s.mem, 0, 7), rowsBatch(s.mem, 7, 6))
	case "append":
		return s.put(rowsBatch(s.mem, 13, 8))
	case "list_flights":
		return s.listFlights()
	case "read_endpoints":
		return s.readEndpoints()
	case "not_found":
		return s.notFound()
	case "wrong_schema":
		return s.wrongSchema()
	case "no_client_cert":
		return s.noClientCert()
	}
	return "", fmt.Errorf("unknown check %s", name)
}

// tlsConfig trusts caFile and presents certFile/keyFile when given. The corpus certificates name
// their host only in the subject CN, without a subjectAltName, which Go's verifier has refused
// since Go 1.15 ("certificate relies on legacy Common Name field"). So the chain is verified here
// against the CA as usual, and the host is matched against the SANs when there are any, else
// against the CN: the check the other clients (gRPC core, the JDK) still make.
func tlsConfig(caFile, certFile, keyFile string) (*tls.Config, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("--ca: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca %s holds no PEM certificate", caFile)
	}
	cfg := &tls.Config{
		InsecureSkipVerify: true, // replaced by VerifyConnection below, which always runs
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("the server sent no certificate")
			}
			leaf := cs.PeerCertificates[0]
			intermediates := x509.NewCertPool()
			for _, c := range cs.PeerCertificates[1:] {
				intermediates.AddCert(c)
			}
			if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: intermediates}); err != nil {
				return err
			}
			if len(leaf.DNSNames) > 0 || len(leaf.IPAddresses) > 0 {
				return leaf.VerifyHostname(cs.ServerName)
			}
			if leaf.Subject.CommonName != cs.ServerName {
				return fmt.Errorf("certificate is for %q, not %q", leaf.Subject.CommonName, cs.ServerName)
			}
			return nil
		},
	}
	if certFile != "" {
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("--cert/--key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// dial opens a Flight client to a location, with this session's transport security.
func (s *session) dial(location string, cfg *tls.Config) (flight.Client, error) {
	u, err := url.Parse(location)
	if err != nil {
		return nil, err
	}
	creds := insecure.NewCredentials()
	switch u.Scheme {
	case "grpc+tcp", "grpc":
	case "grpc+tls":
		if cfg == nil {
			return nil, fmt.Errorf("%s needs TLS settings", location)
		}
		c := cfg.Clone()
		c.ServerName = u.Hostname()
		creds = credentials.NewTLS(c)
	default:
		return nil, fmt.Errorf("unsupported location %s", location)
	}
	client, err := flight.NewClientWithMiddleware(u.Host, nil, nil, grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(1<<30)))
	if err == nil {
		s.peers = append(s.peers, client)
	}
	return client, err
}

func withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, timeout)
}

func (s *session) handshake() (string, error) {
	client, err := s.dial(s.location, s.tlsConfig)
	if err != nil {
		return "", err
	}
	s.client = client
	if s.authCtx, err = authContext(client); err != nil {
		return "", err
	}
	return "Basic credentials exchanged for a bearer token", nil
}

// authContext is a context whose calls carry the bearer token the Handshake returned. It is
// derived from the background context, so that the token outlives the Handshake's deadline.
func authContext(client flight.Client) (context.Context, error) {
	ctx, err := client.AuthenticateBasicToken(context.Background(), user, password, grpc.WaitForReady(false))
	if err != nil {
		return nil, err
	}
	md, _ := metadata.FromOutgoingContext(ctx)
	tokens := md.Get("authorization")
	if len(tokens) != 1 || !strings.HasPrefix(tokens[0], "Bearer ") || len(tokens[0]) <= len("Bearer ") {
		return nil, fmt.Errorf("Handshake returned authorization %q, not one bearer token", tokens)
	}
	return ctx, nil
}

func (s *session) wrongPassword() (string, error) {
	client, err := s.dial(s.location, s.tlsConfig)
	if err != nil {
		return "", err
	}
	ctx, cancel := withTimeout(context.Background())
	defer cancel()
	_, err = client.AuthenticateBasicToken(ctx, user, password+"-wrong")
	return "Handshake with a wrong password -> UNAUTHENTICATED", expectCode(err, codes.Unauthenticated)
}

func (s *session) descriptor(table string) *flight.FlightDescriptor {
	return &flight.FlightDescriptor{Type: flight.DescriptorPATH, Path: []string{table}}
}

func (s *session) doPut(table string, sch *arrow.Schema, recs ...arrow.RecordBatch) error {
	ctx, cancel := withTimeout(s.authCtx)
	defer cancel()
	stream, err := s.client.DoPut(ctx)
	if err != nil {
		return err
	}
	w := flight.NewRecordWriter(stream, ipc.WithSchema(sch), ipc.WithAllocator(s.mem))
	w.SetFlightDescriptor(s.descriptor(table))
	for _, rec := range recs {
		if err := w.Write(rec); err != nil {
			break // the status comes with Recv below
		}
	}
	w.Close()
	if err := stream.CloseSend(); err != nil {
		return err
	}
	for {
		if _, err := stream.Recv(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

func (s *session) put(recs ...arrow.RecordBatch) (string, error) {
	if err := s.doPut(s.table, schema, recs...); err != nil {
		return "", err
	}
	s.written = append(s.written, recs...)
	rows := int64(0)
	for _, r := range recs {
		rows += r.NumRows()
	}
	return fmt.Sprintf("DoPut of %d batches, %d rows", len(recs), rows), nil
}

func (s *session) writtenRows() int64 {
	rows := int64(0)
	for _, r := range s.written {
		rows += r.NumRows()
	}
	return rows
}

func (s *session) listFlights() (string, error) {
	ctx, cancel := withTimeout(s.authCtx)
	defer cancel()
	stream, err := s.client.ListFlights(ctx, &flight.Criteria{Expression: []byte(s.table)})
	if err != nil {
		return "", err
	}
	var mine []*flight.FlightInfo
	var names []string
	for {
		info, err := stream.Recv()
		if err == io.EOF {
			break
		} else if err != nil {
			return "", err
		}
		path := strings.Join(info.GetFlightDescriptor().GetPath(), "/")
		names = append(names, path)
		if path == s.table {
			mine = append(mine, info)
		}
	}
	if len(mine) != 1 {
		return "", fmt.Errorf("ListFlights(%q) listed %v", s.table, names)
	}
	if mine[0].TotalRecords != s.writtenRows() {
		return "", fmt.Errorf("ListFlights says %d records, expected %d", mine[0].TotalRecords, s.writtenRows())
	}
	return fmt.Sprintf("listed with total_records=%d", mine[0].TotalRecords), nil
}

func (s *session) readEndpoints() (string, error) {
	ctx, cancel := withTimeout(s.authCtx)
	defer cancel()
	info, err := s.client.GetFlightInfo(ctx, s.descriptor(s.table))
	if err != nil {
		return "", err
	}
	if len(info.Endpoint) < 2 {
		return "", fmt.Errorf("expected several endpoints (one per file), got %d", len(info.Endpoint))
	}
	infoSchema, err := flight.DeserializeSchema(info.Schema, s.mem)
	if err != nil {
		return "", err
	}
	if !infoSchema.Equal(schema) {
		return "", fmt.Errorf("FlightInfo schema differs:\n%s\nexpected\n%s", infoSchema, schema)
	}
	scheme := strings.SplitN(s.location, "://", 2)[0]
	var got []arrow.RecordBatch
	reads := 0
	for n, ep := range info.Endpoint {
		distinct := map[string]bool{}
		for _, loc := range ep.Location {
			distinct[loc.Uri] = true
		}
		if len(distinct) != s.expectLocations {
			return "", fmt.Errorf("endpoint %d has locations %v; expected %d distinct", n, ep.Location, s.expectLocations)
		}
		var first arrow.Table
		for _, loc := range ep.Location {
			if !strings.HasPrefix(loc.Uri, scheme+"://") {
				return "", fmt.Errorf("endpoint %d location %s: expected %s://", n, loc.Uri, scheme)
			}
			recs, err := s.readAt(loc.Uri, ep.Ticket)
			if err != nil {
				return "", fmt.Errorf("endpoint %d at %s: %w", n, loc.Uri, err)
			}
			reads++
			tbl := array.NewTableFromRecords(infoSchema, recs)
			if first == nil {
				first = tbl
				got = append(got, recs...)
			} else if !array.TableEqual(first, tbl) {
				return "", fmt.Errorf("endpoint %d: %s returned other data than %s", n, loc.Uri, ep.Location[0].Uri)
			}
		}
	}
	gotTable := array.NewTableFromRecords(schema, got)
	want := array.NewTableFromRecords(schema, s.written)
	if !array.TableEqual(gotTable, want) {
		return "", fmt.Errorf("read back differs from what was written: got %d rows, want %d", gotTable.NumRows(), want.NumRows())
	}
	return fmt.Sprintf("%d endpoints, %d DoGets, %d rows equal to those written", len(info.Endpoint), reads, gotTable.NumRows()), nil
}

// readAt connects to a location anew (as a reader of a remote endpoint would), authenticates and
// reads the ticket.
func (s *session) readAt(location string, ticket *flight.Ticket) ([]arrow.RecordBatch, error) {
	client, err := s.dial(location, s.tlsConfig)
	if err != nil {
		return nil, err
	}
	authCtx, err := authContext(client)
	if err != nil {
		return nil, err
	}
	ctx, cancel := withTimeout(authCtx)
	defer cancel()
	stream, err := client.DoGet(ctx, ticket)
	if err != nil {
		return nil, err
	}
	rdr, err := flight.NewRecordReader(stream, ipc.WithAllocator(s.mem))
	if err != nil {
		return nil, err
	}
	defer rdr.Release()
	var recs []arrow.RecordBatch
	for rdr.Next() {
		rec := rdr.RecordBatch()
		rec.Retain()
		recs = append(recs, rec)
	}
	return recs, rdr.Err()
}

func (s *session) notFound() (string, error) {
	ctx, cancel := withTimeout(s.authCtx)
	defer cancel()
	_, err := s.client.GetFlightInfo(ctx, s.descriptor(s.table+"-no-such-table"))
	return "GetFlightInfo of an unknown table -> NOT_FOUND", expectCode(err, codes.NotFound)
}

func (s *session) wrongSchema() (string, error) {
	err := s.doPut(s.table, wrongSchema, wrongBatch(s.mem))
	return "DoPut appending an incompatible schema -> INVALID_ARGUMENT", expectCode(err, codes.InvalidArgument)
}

func (s *session) noClientCert() (string, error) {
	client, err := s.dial(s.location, s.noCert)
	if err != nil {
		return "", err
	}
	ctx, cancel := withTimeout(context.Background())
	defer cancel()
	_, err = client.GetFlightInfo(ctx, s.descriptor(s.table))
	return "a client without a certificate is refused (UNAVAILABLE)", expectCode(err, codes.Unavailable)
}

func expectCode(err error, want codes.Code) error {
	if err == nil {
		return fmt.Errorf("expected %s, but the call succeeded", want)
	}
	if got := status.Code(err); got != want {
		return fmt.Errorf("expected %s, got %s: %v", want, got, err)
	}
	return nil
}
