// quiver's Go scenario client, against arrow-go's Flight library (github.com/apache/arrow-go/v18/arrow/flight):
// the Flight integration scenarios that arrow-go's own integration client
// (arrow/internal/flight_integration, GetScenario) does not have, with the checks of Arrow Java
// main's scenario classes. Flags as arrow-go's client: -host H -port P -scenario NAME; -list prints
// the scenarios it has. Exit status 0 when the scenario passed; otherwise the last line of stderr
// says why.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

type scenario func(ctx context.Context, client flight.Client) error

var scenarios = map[string]scenario{
	"do_exchange:echo": doExchangeEcho,
}

func main() {
	host := flag.String("host", "localhost", "server host")
	port := flag.Int("port", 31337, "server port")
	name := flag.String("scenario", "", "scenario to run")
	list := flag.Bool("list", false, "print the scenarios this client has, one a line")
	flag.Parse()
	if *list {
		names := make([]string, 0, len(scenarios))
		for n := range scenarios {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Println(n)
		}
		return
	}
	run, ok := scenarios[*name]
	if !ok {
		fmt.Fprintf(os.Stderr, "no such scenario: %q\n", *name)
		os.Exit(2)
	}
	if err := connectAndRun(*host, *port, run); err != nil {
		fmt.Fprintf(os.Stderr, "scenario %s failed: %v\n", *name, err)
		os.Exit(1)
	}
}

func connectAndRun(host string, port int, run scenario) error {
	client, err := flight.NewClientWithMiddleware(net.JoinHostPort(host, strconv.Itoa(port)), nil, nil,
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return run(ctx, client)
}
