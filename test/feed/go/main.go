// An arrow-go v18 follower of quiver's change feed, for test/feed/follow-cluster.test.ts. It
// follows TABLE from FROM to UNTIL over the given replicas, printing one line per version marker
// ("M version operation rows") and per record batch ("B version id,id,..."), and follows again
// from another replica after a lost stream, skipping the batches of the current version it
// already printed (a version's batches come in the same order every time), and from the version
// an overwrite replaced the schema at (FAILED_PRECONDITION names it). arrow-go's record
// reader stops at a metadata-only FlightData message, so the FlightData stream is read here and
// only data messages are handed to its IPC reader.
//
//	go run . LOCATIONS TABLE FROM UNTIL     (LOCATIONS: host:port,host:port,...)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

var resumeAt = regexp.MustCompile(`"from_version": (\d+)`)

type marker struct {
	Table     string `json:"table"`
	Version   int64  `json:"version"`
	Operation string `json:"operation"`
	Rows      int64  `json:"rows"`
}

// dataMessages hands the IPC reader the data messages of a follow stream and reports each
// metadata-only message (a version marker) as it passes.
type dataMessages struct {
	stream   flight.FlightService_DoGetClient
	onMarker func(m marker)
	msg      *ipc.Message
}

func (d *dataMessages) Message() (*ipc.Message, error) {
	for {
		fd, err := d.stream.Recv()
		if err != nil {
			return nil, err
		}
		if len(fd.DataHeader) == 0 {
			var m marker
			if len(fd.AppMetadata) > 0 && json.Unmarshal(fd.AppMetadata, &m) == nil {
				d.onMarker(m)
			}
			continue
		}
		if d.msg != nil {
			d.msg.Release()
		}
		d.msg = ipc.NewMessage(memory.NewBufferBytes(fd.DataHeader), memory.NewBufferBytes(fd.DataBody))
		return d.msg, nil
	}
}

func (d *dataMessages) Retain() {}
func (d *dataMessages) Release() {
	if d.msg != nil {
		d.msg.Release()
		d.msg = nil
	}
}

type follower struct {
	table   string
	from    int64
	until   int64
	current *marker
	batches int // of the current version, printed
	rowsGot int64
	skip    int
}

func (f *follower) done() bool {
	return f.current != nil && f.current.Version == f.until && f.rowsGot >= f.current.Rows
}

// once follows from one location until the stream ends, fails, or UNTIL is complete.
func (f *follower) once(ctx context.Context, location string) (progress bool, err error) {
	conn, err := grpc.NewClient(location, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(1<<30)))
	if err != nil {
		return false, err
	}
	defer conn.Close()
	client := flight.NewFlightServiceClient(conn)
	cmd, _ := json.Marshal(map[string]any{"table": f.table, "follow": true, "from_version": f.from})
	info, err := client.GetFlightInfo(ctx, &flight.FlightDescriptor{Type: flight.DescriptorCMD, Cmd: cmd})
	if err != nil {
		return false, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := client.DoGet(ctx, info.Endpoint[0].Ticket)
	if err != nil {
		return false, err
	}
	f.skip = 0
	if f.current != nil && f.current.Version == f.from {
		f.skip = f.batches
	}
	msgs := &dataMessages{stream: stream, onMarker: func(m marker) {
		if f.current != nil && f.current.Version == m.Version {
			return // the version being resumed: its marker was printed
		}
		if f.done() {
			return
		}
		f.current, f.batches, f.rowsGot, f.from = &m, 0, 0, m.Version
		fmt.Printf("M %d %s %d\n", m.Version, m.Operation, m.Rows)
		progress = true
		if f.done() {
			cancel()
		}
	}}
	rdr, err := ipc.NewReaderFromMessageReader(msgs)
	if err != nil {
		return progress, err
	}
	defer rdr.Release()
	for rdr.Next() {
		rec := rdr.RecordBatch()
		if f.skip > 0 {
			f.skip--
			continue
		}
		ids := rec.Column(0).(*array.Int64)
		parts := make([]string, ids.Len())
		for i := range parts {
			parts[i] = strconv.FormatInt(ids.Value(i), 10)
		}
		fmt.Printf("B %d %s\n", f.current.Version, strings.Join(parts, ","))
		f.batches++
		f.rowsGot += rec.NumRows()
		progress = true
		if f.done() {
			return true, nil
		}
	}
	if f.done() {
		return true, nil
	}
	if rdr.Err() != nil {
		return progress, rdr.Err()
	}
	return progress, io.ErrUnexpectedEOF
}

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: follower LOCATIONS TABLE FROM UNTIL")
		os.Exit(2)
	}
	locations := strings.Split(os.Args[1], ",")
	from, _ := strconv.ParseInt(os.Args[3], 10, 64)
	until, _ := strconv.ParseInt(os.Args[4], 10, 64)
	f := &follower{table: os.Args[2], from: from, until: until}
	ctx := context.Background()
	lastProgress := time.Now()
	for at := 0; ; at++ {
		progress, err := f.once(ctx, locations[at%len(locations)])
		if f.done() {
			os.Exit(0)
		}
		if progress {
			lastProgress = time.Now()
		}
		if time.Since(lastProgress) > 90*time.Second {
			fmt.Fprintf(os.Stderr, "no progress for 90 s; last error: %v\n", err)
			os.Exit(1)
		}
		if st, ok := status.FromError(err); ok && st.Code() == codes.FailedPrecondition {
			// An overwrite replaced the schema: one Arrow stream has one schema, so follow again
			// from the version the message names (every version before it is complete).
			if m := resumeAt.FindStringSubmatch(st.Message()); m != nil {
				v, _ := strconv.ParseInt(m[1], 10, 64)
				if v > f.from || (f.current != nil && v == f.current.Version+1) {
					f.from, f.current, f.batches, f.rowsGot = v, nil, 0, 0
					at--
					continue
				}
			}
		}
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			fmt.Fprintf(os.Stderr, "following again after: %v\n", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
