package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

const (
	echoBatches = 4
	echoRows    = 10
)

// doExchangeEcho: DoExchange(CMD "echo"), four batches of ten int32 rows (batch b holds b..b+9),
// app_metadata "b" on even batches and none on odd ones, in lockstep: after each batch the echo must
// arrive with the same schema, equal values and the same app_metadata (none when none was sent).
// After the client half-closes, the stream must end with no further batch and no error.
func doExchangeEcho(ctx context.Context, client flight.Client) error {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int32, Nullable: false}}, nil)

	stream, err := client.DoExchange(ctx)
	if err != nil {
		return fmt.Errorf("DoExchange: %w", err)
	}
	writer := flight.NewRecordWriter(stream, ipc.WithSchema(schema), ipc.WithAllocator(mem))
	defer writer.Close()
	writer.SetFlightDescriptor(&flight.FlightDescriptor{Type: flight.DescriptorCMD, Cmd: []byte("echo")})

	var reader *flight.Reader
	defer func() {
		if reader != nil {
			reader.Release()
		}
	}()
	for b := 0; b < echoBatches; b++ {
		sent := echoBatch(mem, schema, b)
		var metadata []byte
		if b%2 == 0 {
			metadata = []byte(strconv.Itoa(b))
		}
		// arrow-go's writer sends the schema with the first batch (and that batch's app_metadata
		// on it too); the echo of the schema is read when the reader is made, after that write.
		if metadata != nil {
			err = writer.WriteWithAppMetadata(sent, metadata)
		} else {
			err = writer.Write(sent)
		}
		if err != nil {
			sent.Release()
			return fmt.Errorf("sending batch %d: %w", b, err)
		}
		if reader == nil {
			if reader, err = flight.NewRecordReader(stream, ipc.WithAllocator(mem)); err != nil {
				sent.Release()
				return fmt.Errorf("reading the echoed schema: %w", err)
			}
		}
		err = checkEcho(reader, sent, metadata, b)
		sent.Release()
		if err != nil {
			return err
		}
	}
	if err := stream.CloseSend(); err != nil {
		return fmt.Errorf("half-closing: %w", err)
	}
	if reader.Next() {
		return errors.New("the stream must end after the client half-closes, but another batch came")
	}
	if err := reader.Err(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("the stream must end cleanly after the client half-closes: %w", err)
	}
	return nil
}

func echoBatch(mem memory.Allocator, schema *arrow.Schema, b int) arrow.RecordBatch {
	bld := array.NewInt32Builder(mem)
	defer bld.Release()
	for row := 0; row < echoRows; row++ {
		bld.Append(int32(b + row))
	}
	col := bld.NewArray()
	defer col.Release()
	return array.NewRecordBatch(schema, []arrow.Array{col}, echoRows)
}

func checkEcho(reader *flight.Reader, sent arrow.RecordBatch, metadata []byte, b int) error {
	if !reader.Next() {
		if err := reader.Err(); err != nil {
			return fmt.Errorf("the echo of batch %d did not arrive: %w", b, err)
		}
		return fmt.Errorf("the stream ended before the echo of batch %d", b)
	}
	got := reader.LatestAppMetadata()
	// proto3 bytes: "no app_metadata" and "empty app_metadata" are the same on the wire.
	if metadata != nil && !bytes.Equal(got, metadata) {
		return fmt.Errorf("the echo of batch %d must carry app_metadata %q, got %q", b, metadata, got)
	}
	if metadata == nil && len(got) != 0 {
		return fmt.Errorf("the echo of batch %d must carry no app_metadata (none was sent), got %q", b, got)
	}
	echo := reader.RecordBatch()
	if !echo.Schema().Equal(sent.Schema()) {
		return fmt.Errorf("schema of the echo of batch %d: expected %s, got %s", b, sent.Schema(), echo.Schema())
	}
	if !array.RecordEqual(echo, sent) {
		return fmt.Errorf("the echo of batch %d differs: sent %v, got %v", b, sent, echo)
	}
	return nil
}
