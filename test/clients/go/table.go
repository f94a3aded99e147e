package main

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The table every client writes (the same formulas as the pyarrow and Java clients): nulls in
// every column, a dictionary-encoded column, and list, struct and map columns.
var (
	categoryType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	tagsType     = arrow.ListOfField(arrow.Field{Name: "item", Type: arrow.BinaryTypes.String, Nullable: true})
	pointType    = arrow.StructOf(
		arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: false},
		arrow.Field{Name: "y", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	)
	attrsType = arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64)
	schema    = arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: false},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "category", Type: categoryType, Nullable: true},
		{Name: "tags", Type: tagsType, Nullable: true},
		{Name: "point", Type: pointType, Nullable: true},
		{Name: "attrs", Type: attrsType, Nullable: true},
	}, nil)
	wrongSchema = arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
)

// rowsBatch holds rows start..start+count-1.
func rowsBatch(mem memory.Allocator, start, count int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	ids := b.Field(0).(*array.Int64Builder)
	names := b.Field(1).(*array.StringBuilder)
	categories := b.Field(2).(*array.BinaryDictionaryBuilder)
	tags := b.Field(3).(*array.ListBuilder)
	tagItems := tags.ValueBuilder().(*array.StringBuilder)
	points := b.Field(4).(*array.StructBuilder)
	xs := points.FieldBuilder(0).(*array.Float64Builder)
	ys := points.FieldBuilder(1).(*array.Float64Builder)
	attrs := b.Field(5).(*array.MapBuilder)
	keys := attrs.KeyBuilder().(*array.StringBuilder)
	values := attrs.ItemBuilder().(*array.Int64Builder)
	// The dictionary is the same in every batch: red, green, blue.
	dict := stringArray(mem, "red", "green", "blue")
	defer dict.Release()
	if err := categories.InsertStringDictValues(dict); err != nil {
		panic(err)
	}
	for i := start; i < start+count; i++ {
		ids.Append(int64(i))
		if i%3 == 1 {
			names.AppendNull()
		} else {
			names.Append(fmt.Sprintf("name-%d", i))
		}
		if i%4 == 2 {
			categories.AppendNull()
		} else {
			categories.AppendIndices([]int{i % 3}, nil)
		}
		if i%5 == 0 {
			tags.AppendNull()
		} else {
			tags.Append(true)
			for j := 0; j < i%3; j++ {
				if j == 1 {
					tagItems.AppendNull()
				} else {
					tagItems.Append(fmt.Sprintf("t%d-%d", i, j))
				}
			}
		}
		if i%6 == 3 {
			points.AppendNull()
		} else {
			points.Append(true)
			xs.Append(float64(i) * 0.5)
			if i%2 == 0 {
				ys.AppendNull()
			} else {
				ys.Append(-float64(i))
			}
		}
		if i%7 == 4 {
			attrs.AppendNull()
		} else {
			attrs.Append(true)
			keys.Append("k0")
			values.Append(int64(i))
			if i%2 == 1 {
				keys.Append("k1")
				values.Append(int64(i * 10))
			}
		}
	}
	return b.NewRecordBatch()
}

func stringArray(mem memory.Allocator, values ...string) *array.String {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.AppendValues(values, nil)
	return b.NewStringArray()
}

func wrongBatch(mem memory.Allocator) arrow.RecordBatch {
	col := stringArray(mem, "x")
	defer col.Release()
	return array.NewRecordBatch(wrongSchema, []arrow.Array{col}, 1)
}
