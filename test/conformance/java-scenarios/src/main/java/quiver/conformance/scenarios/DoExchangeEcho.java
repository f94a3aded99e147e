package quiver.conformance.scenarios;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Validator;

/**
 * do_exchange:echo: DoExchange(CMD "echo"), four batches of ten int32 rows (batch b holds b..b+9),
 * app_metadata "b" on even batches and none on odd ones, in lockstep: after each batch the echo
 * must arrive with the same schema, the same values and the same app_metadata (none when none was
 * sent). After the client half-closes, the server must end the stream with no further batch.
 */
final class DoExchangeEcho implements Scenario {
  private static final int BATCHES = 4;
  private static final int ROWS = 10;

  @Override
  public void run(BufferAllocator allocator, Location location, FlightClient client) throws Exception {
    Schema schema = new Schema(List.of(Field.notNullable("x", new ArrowType.Int(32, true))));
    try (FlightClient.ExchangeReaderWriter exchange = client.doExchange(FlightDescriptor.command("echo".getBytes(StandardCharsets.UTF_8)));
        VectorSchemaRoot sent = VectorSchemaRoot.create(schema, allocator)) {
      FlightStream echoes = exchange.getReader();
      IntVector x = (IntVector) sent.getVector("x");
      x.allocateNew();
      exchange.getWriter().start(sent);
      for (int b = 0; b < BATCHES; b++) {
        for (int row = 0; row < ROWS; row++) x.setSafe(row, b + row);
        sent.setRowCount(ROWS);
        byte[] metadata = b % 2 == 0 ? Integer.toString(b).getBytes(StandardCharsets.UTF_8) : null;
        if (metadata != null) {
          ArrowBuf buf = allocator.buffer(metadata.length);
          buf.writeBytes(metadata);
          exchange.getWriter().putNext(buf); // the writer takes ownership of buf
        } else {
          exchange.getWriter().putNext();
        }

        Check.that(echoes.next(), "the echo of batch " + b + " must arrive before the next batch is sent");
        ArrowBuf echoed = echoes.getLatestMetadata();
        if (metadata != null) {
          Check.that(echoed != null, "the echo of batch " + b + " must carry its app_metadata");
          byte[] got = new byte[(int) echoed.readableBytes()];
          echoed.getBytes(echoed.readerIndex(), got);
          Check.equalBytes(metadata, got, "app_metadata of the echo of batch " + b);
        } else {
          Check.that(echoed == null, "the echo of batch " + b + " must carry no app_metadata (none was sent)");
        }
        Check.equal(sent.getSchema(), echoes.getSchema(), "schema of the echo");
        Validator.compareVectorSchemaRoot(echoes.getRoot(), sent);
      }
      exchange.getWriter().completed();
      Check.that(!echoes.next(), "the stream must end after the client half-closes");
    }
  }
}
