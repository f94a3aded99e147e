// Opens an input file by its extension.
import { openCsv, type CsvOptions } from './csv-input.ts';
import { inputFormat, type InputFile } from './input-file.ts';
import { openArrowFile, openArrowStream } from './ipc-input.ts';
import { openParquet } from './parquet-input.ts';

export async function openInput(file: string, csv: CsvOptions): Promise<InputFile> {
  switch (inputFormat(file)) {
    case 'parquet': return openParquet(file);
    case 'arrow-file': return openArrowFile(file);
    case 'arrow-stream': return openArrowStream(file);
    case 'csv': return openCsv(file, csv);
  }
}
