// arrow-go's Flight SQL client and its database/sql driver against a running quiver: bulk
// ingest, a query, GetTables with schemas, a prepared statement with a bound parameter, an
// update, and database/sql. Prints one line per step; exits 1 at the first wrong answer.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	_ "github.com/apache/arrow-go/v18/arrow/flight/flightsql/driver"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func check(step string, err error) {
	if err != nil {
		fmt.Printf("FAIL %s: %v\n", step, err)
		os.Exit(1)
	}
}

func expect(step string, got, want any) {
	if fmt.Sprint(got) != fmt.Sprint(want) {
		fmt.Printf("FAIL %s: got %v, want %v\n", step, got, want)
		os.Exit(1)
	}
	fmt.Printf("ok %s\n", step)
}

// rows reads every endpoint of info and returns the values of column 0 as int64s.
func rows(ctx context.Context, c *flightsql.Client, info *flight.FlightInfo) []int64 {
	var out []int64
	for _, ep := range info.Endpoint {
		r, err := c.DoGet(ctx, ep.Ticket)
		check("DoGet", err)
		for r.Next() {
			col := r.RecordBatch().Column(0).(*array.Int64)
			for i := 0; i < col.Len(); i++ {
				out = append(out, col.Value(i))
			}
		}
		check("read", r.Err())
		r.Release()
	}
	return out
}

func main() {
	addr := os.Args[1]
	table := os.Args[2]
	ctx := context.Background()
	mem := memory.DefaultAllocator
	c, err := flightsql.NewClient(addr, nil, nil, grpc.WithTransportCredentials(insecure.NewCredentials()))
	check("connect", err)
	defer c.Close()

	schema := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	b := array.NewInt64Builder(mem)
	b.AppendValues([]int64{1, 2, 3}, nil)
	col := b.NewArray()
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, 3)
	rdr, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	check("reader", err)
	n, err := c.ExecuteIngest(ctx, rdr, &flightsql.ExecuteIngestOpts{
		TableDefinitionOptions: &flightsql.TableDefinitionOptions{
			IfNotExist: flightsql.TableDefinitionOptionsTableNotExistOptionCreate,
			IfExists:   flightsql.TableDefinitionOptionsTableExistsOptionFail,
		},
		Table: table,
	})
	check("ExecuteIngest", err)
	expect("ExecuteIngest record_count", n, 3)

	info, err := c.Execute(ctx, fmt.Sprintf(`SELECT v * 10 AS w FROM "%s" ORDER BY v`, table))
	check("Execute", err)
	expect("Execute + DoGet", rows(ctx, c, info), []int64{10, 20, 30})

	tables, err := c.GetTables(ctx, &flightsql.GetTablesOpts{TableNameFilterPattern: &table, IncludeSchema: true})
	check("GetTables", err)
	tr, err := c.DoGet(ctx, tables.Endpoint[0].Ticket)
	check("GetTables DoGet", err)
	listed := 0
	for tr.Next() {
		rb := tr.RecordBatch()
		listed += int(rb.NumRows())
		s, err := flight.DeserializeSchema(rb.Column(4).(*array.Binary).Value(0), mem)
		check("table_schema", err)
		expect("GetTables table_schema", s.Field(0).Name, "v")
	}
	tr.Release()
	expect("GetTables rows", listed, 1)

	prep, err := c.Prepare(ctx, fmt.Sprintf(`SELECT v FROM "%s" WHERE v > ? ORDER BY v`, table))
	check("Prepare", err)
	pb := array.NewInt64Builder(mem)
	pb.Append(1)
	param := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "p", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil), []arrow.Array{pb.NewArray()}, 1)
	prep.SetParameters(param)
	pinfo, err := prep.Execute(ctx)
	check("prepared Execute", err)
	expect("prepared statement with a parameter", rows(ctx, c, pinfo), []int64{2, 3})
	check("Close prepared", prep.Close(ctx))

	updated, err := c.ExecuteUpdate(ctx, fmt.Sprintf(`INSERT INTO "%s" VALUES (4)`, table))
	check("ExecuteUpdate", err)
	expect("ExecuteUpdate record_count", updated, 1)

	db, err := sql.Open("flightsql", "flightsql://"+addr)
	check("sql.Open", err)
	defer db.Close()
	var total int64
	check("database/sql QueryRow", db.QueryRow(fmt.Sprintf(`SELECT CAST(sum(v) AS BIGINT) FROM "%s"`, table)).Scan(&total))
	expect("database/sql sum", total, 10)
	fmt.Println("all ok")
}
