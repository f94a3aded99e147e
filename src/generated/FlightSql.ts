import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ActionBeginSavepointRequest as _arrow_flight_protocol_sql_ActionBeginSavepointRequest, ActionBeginSavepointRequest__Output as _arrow_flight_protocol_sql_ActionBeginSavepointRequest__Output } from './arrow/flight/protocol/sql/ActionBeginSavepointRequest';
import type { ActionBeginSavepointResult as _arrow_flight_protocol_sql_ActionBeginSavepointResult, ActionBeginSavepointResult__Output as _arrow_flight_protocol_sql_ActionBeginSavepointResult__Output } from './arrow/flight/protocol/sql/ActionBeginSavepointResult';
import type { ActionBeginTransactionRequest as _arrow_flight_protocol_sql_ActionBeginTransactionRequest, ActionBeginTransactionRequest__Output as _arrow_flight_protocol_sql_ActionBeginTransactionRequest__Output } from './arrow/flight/protocol/sql/ActionBeginTransactionRequest';
import type { ActionBeginTransactionResult as _arrow_flight_protocol_sql_ActionBeginTransactionResult, ActionBeginTransactionResult__Output as _arrow_flight_protocol_sql_ActionBeginTransactionResult__Output } from './arrow/flight/protocol/sql/ActionBeginTransactionResult';
import type { ActionCancelQueryRequest as _arrow_flight_protocol_sql_ActionCancelQueryRequest, ActionCancelQueryRequest__Output as _arrow_flight_protocol_sql_ActionCancelQueryRequest__Output } from './arrow/flight/protocol/sql/ActionCancelQueryRequest';
import type { ActionCancelQueryResult as _arrow_flight_protocol_sql_ActionCancelQueryResult, ActionCancelQueryResult__Output as _arrow_flight_protocol_sql_ActionCancelQueryResult__Output } from './arrow/flight/protocol/sql/ActionCancelQueryResult';
import type { ActionClosePreparedStatementRequest as _arrow_flight_protocol_sql_ActionClosePreparedStatementRequest, ActionClosePreparedStatementRequest__Output as _arrow_flight_protocol_sql_ActionClosePreparedStatementRequest__Output } from './arrow/flight/protocol/sql/ActionClosePreparedStatementRequest';
import type { ActionCreatePreparedStatementRequest as _arrow_flight_protocol_sql_ActionCreatePreparedStatementRequest, ActionCreatePreparedStatementRequest__Output as _arrow_flight_protocol_sql_ActionCreatePreparedStatementRequest__Output } from './arrow/flight/protocol/sql/ActionCreatePreparedStatementRequest';
import type { ActionCreatePreparedStatementResult as _arrow_flight_protocol_sql_ActionCreatePreparedStatementResult, ActionCreatePreparedStatementResult__Output as _arrow_flight_protocol_sql_ActionCreatePreparedStatementResult__Output } from './arrow/flight/protocol/sql/ActionCreatePreparedStatementResult';
import type { ActionCreatePreparedSubstraitPlanRequest as _arrow_flight_protocol_sql_ActionCreatePreparedSubstraitPlanRequest, ActionCreatePreparedSubstraitPlanRequest__Output as _arrow_flight_protocol_sql_ActionCreatePreparedSubstraitPlanRequest__Output } from './arrow/flight/protocol/sql/ActionCreatePreparedSubstraitPlanRequest';
import type { ActionEndSavepointRequest as _arrow_flight_protocol_sql_ActionEndSavepointRequest, ActionEndSavepointRequest__Output as _arrow_flight_protocol_sql_ActionEndSavepointRequest__Output } from './arrow/flight/protocol/sql/ActionEndSavepointRequest';
import type { ActionEndTransactionRequest as _arrow_flight_protocol_sql_ActionEndTransactionRequest, ActionEndTransactionRequest__Output as _arrow_flight_protocol_sql_ActionEndTransactionRequest__Output } from './arrow/flight/protocol/sql/ActionEndTransactionRequest';
import type { CommandGetCatalogs as _arrow_flight_protocol_sql_CommandGetCatalogs, CommandGetCatalogs__Output as _arrow_flight_protocol_sql_CommandGetCatalogs__Output } from './arrow/flight/protocol/sql/CommandGetCatalogs';
import type { CommandGetCrossReference as _arrow_flight_protocol_sql_CommandGetCrossReference, CommandGetCrossReference__Output as _arrow_flight_protocol_sql_CommandGetCrossReference__Output } from './arrow/flight/protocol/sql/CommandGetCrossReference';
import type { CommandGetDbSchemas as _arrow_flight_protocol_sql_CommandGetDbSchemas, CommandGetDbSchemas__Output as _arrow_flight_protocol_sql_CommandGetDbSchemas__Output } from './arrow/flight/protocol/sql/CommandGetDbSchemas';
import type { CommandGetExportedKeys as _arrow_flight_protocol_sql_CommandGetExportedKeys, CommandGetExportedKeys__Output as _arrow_flight_protocol_sql_CommandGetExportedKeys__Output } from './arrow/flight/protocol/sql/CommandGetExportedKeys';
import type { CommandGetImportedKeys as _arrow_flight_protocol_sql_CommandGetImportedKeys, CommandGetImportedKeys__Output as _arrow_flight_protocol_sql_CommandGetImportedKeys__Output } from './arrow/flight/protocol/sql/CommandGetImportedKeys';
import type { CommandGetPrimaryKeys as _arrow_flight_protocol_sql_CommandGetPrimaryKeys, CommandGetPrimaryKeys__Output as _arrow_flight_protocol_sql_CommandGetPrimaryKeys__Output } from './arrow/flight/protocol/sql/CommandGetPrimaryKeys';
import type { CommandGetSqlInfo as _arrow_flight_protocol_sql_CommandGetSqlInfo, CommandGetSqlInfo__Output as _arrow_flight_protocol_sql_CommandGetSqlInfo__Output } from './arrow/flight/protocol/sql/CommandGetSqlInfo';
import type { CommandGetTableTypes as _arrow_flight_protocol_sql_CommandGetTableTypes, CommandGetTableTypes__Output as _arrow_flight_protocol_sql_CommandGetTableTypes__Output } from './arrow/flight/protocol/sql/CommandGetTableTypes';
import type { CommandGetTables as _arrow_flight_protocol_sql_CommandGetTables, CommandGetTables__Output as _arrow_flight_protocol_sql_CommandGetTables__Output } from './arrow/flight/protocol/sql/CommandGetTables';
import type { CommandGetXdbcTypeInfo as _arrow_flight_protocol_sql_CommandGetXdbcTypeInfo, CommandGetXdbcTypeInfo__Output as _arrow_flight_protocol_sql_CommandGetXdbcTypeInfo__Output } from './arrow/flight/protocol/sql/CommandGetXdbcTypeInfo';
import type { CommandPreparedStatementQuery as _arrow_flight_protocol_sql_CommandPreparedStatementQuery, CommandPreparedStatementQuery__Output as _arrow_flight_protocol_sql_CommandPreparedStatementQuery__Output } from './arrow/flight/protocol/sql/CommandPreparedStatementQuery';
import type { CommandPreparedStatementUpdate as _arrow_flight_protocol_sql_CommandPreparedStatementUpdate, CommandPreparedStatementUpdate__Output as _arrow_flight_protocol_sql_CommandPreparedStatementUpdate__Output } from './arrow/flight/protocol/sql/CommandPreparedStatementUpdate';
import type { CommandStatementIngest as _arrow_flight_protocol_sql_CommandStatementIngest, CommandStatementIngest__Output as _arrow_flight_protocol_sql_CommandStatementIngest__Output } from './arrow/flight/protocol/sql/CommandStatementIngest';
import type { CommandStatementQuery as _arrow_flight_protocol_sql_CommandStatementQuery, CommandStatementQuery__Output as _arrow_flight_protocol_sql_CommandStatementQuery__Output } from './arrow/flight/protocol/sql/CommandStatementQuery';
import type { CommandStatementSubstraitPlan as _arrow_flight_protocol_sql_CommandStatementSubstraitPlan, CommandStatementSubstraitPlan__Output as _arrow_flight_protocol_sql_CommandStatementSubstraitPlan__Output } from './arrow/flight/protocol/sql/CommandStatementSubstraitPlan';
import type { CommandStatementUpdate as _arrow_flight_protocol_sql_CommandStatementUpdate, CommandStatementUpdate__Output as _arrow_flight_protocol_sql_CommandStatementUpdate__Output } from './arrow/flight/protocol/sql/CommandStatementUpdate';
import type { DoPutPreparedStatementResult as _arrow_flight_protocol_sql_DoPutPreparedStatementResult, DoPutPreparedStatementResult__Output as _arrow_flight_protocol_sql_DoPutPreparedStatementResult__Output } from './arrow/flight/protocol/sql/DoPutPreparedStatementResult';
import type { DoPutUpdateResult as _arrow_flight_protocol_sql_DoPutUpdateResult, DoPutUpdateResult__Output as _arrow_flight_protocol_sql_DoPutUpdateResult__Output } from './arrow/flight/protocol/sql/DoPutUpdateResult';
import type { SubstraitPlan as _arrow_flight_protocol_sql_SubstraitPlan, SubstraitPlan__Output as _arrow_flight_protocol_sql_SubstraitPlan__Output } from './arrow/flight/protocol/sql/SubstraitPlan';
import type { TicketStatementQuery as _arrow_flight_protocol_sql_TicketStatementQuery, TicketStatementQuery__Output as _arrow_flight_protocol_sql_TicketStatementQuery__Output } from './arrow/flight/protocol/sql/TicketStatementQuery';
import type { DescriptorProto as _google_protobuf_DescriptorProto, DescriptorProto__Output as _google_protobuf_DescriptorProto__Output } from './google/protobuf/DescriptorProto';
import type { EnumDescriptorProto as _google_protobuf_EnumDescriptorProto, EnumDescriptorProto__Output as _google_protobuf_EnumDescriptorProto__Output } from './google/protobuf/EnumDescriptorProto';
import type { EnumOptions as _google_protobuf_EnumOptions, EnumOptions__Output as _google_protobuf_EnumOptions__Output } from './google/protobuf/EnumOptions';
import type { EnumValueDescriptorProto as _google_protobuf_EnumValueDescriptorProto, EnumValueDescriptorProto__Output as _google_protobuf_EnumValueDescriptorProto__Output } from './google/protobuf/EnumValueDescriptorProto';
import type { EnumValueOptions as _google_protobuf_EnumValueOptions, EnumValueOptions__Output as _google_protobuf_EnumValueOptions__Output } from './google/protobuf/EnumValueOptions';
import type { ExtensionRangeOptions as _google_protobuf_ExtensionRangeOptions, ExtensionRangeOptions__Output as _google_protobuf_ExtensionRangeOptions__Output } from './google/protobuf/ExtensionRangeOptions';
import type { FeatureSet as _google_protobuf_FeatureSet, FeatureSet__Output as _google_protobuf_FeatureSet__Output } from './google/protobuf/FeatureSet';
import type { FeatureSetDefaults as _google_protobuf_FeatureSetDefaults, FeatureSetDefaults__Output as _google_protobuf_FeatureSetDefaults__Output } from './google/protobuf/FeatureSetDefaults';
import type { FieldDescriptorProto as _google_protobuf_FieldDescriptorProto, FieldDescriptorProto__Output as _google_protobuf_FieldDescriptorProto__Output } from './google/protobuf/FieldDescriptorProto';
import type { FieldOptions as _google_protobuf_FieldOptions, FieldOptions__Output as _google_protobuf_FieldOptions__Output } from './google/protobuf/FieldOptions';
import type { FileDescriptorProto as _google_protobuf_FileDescriptorProto, FileDescriptorProto__Output as _google_protobuf_FileDescriptorProto__Output } from './google/protobuf/FileDescriptorProto';
import type { FileDescriptorSet as _google_protobuf_FileDescriptorSet, FileDescriptorSet__Output as _google_protobuf_FileDescriptorSet__Output } from './google/protobuf/FileDescriptorSet';
import type { FileOptions as _google_protobuf_FileOptions, FileOptions__Output as _google_protobuf_FileOptions__Output } from './google/protobuf/FileOptions';
import type { GeneratedCodeInfo as _google_protobuf_GeneratedCodeInfo, GeneratedCodeInfo__Output as _google_protobuf_GeneratedCodeInfo__Output } from './google/protobuf/GeneratedCodeInfo';
import type { MessageOptions as _google_protobuf_MessageOptions, MessageOptions__Output as _google_protobuf_MessageOptions__Output } from './google/protobuf/MessageOptions';
import type { MethodDescriptorProto as _google_protobuf_MethodDescriptorProto, MethodDescriptorProto__Output as _google_protobuf_MethodDescriptorProto__Output } from './google/protobuf/MethodDescriptorProto';
import type { MethodOptions as _google_protobuf_MethodOptions, MethodOptions__Output as _google_protobuf_MethodOptions__Output } from './google/protobuf/MethodOptions';
import type { OneofDescriptorProto as _google_protobuf_OneofDescriptorProto, OneofDescriptorProto__Output as _google_protobuf_OneofDescriptorProto__Output } from './google/protobuf/OneofDescriptorProto';
import type { OneofOptions as _google_protobuf_OneofOptions, OneofOptions__Output as _google_protobuf_OneofOptions__Output } from './google/protobuf/OneofOptions';
import type { ServiceDescriptorProto as _google_protobuf_ServiceDescriptorProto, ServiceDescriptorProto__Output as _google_protobuf_ServiceDescriptorProto__Output } from './google/protobuf/ServiceDescriptorProto';
import type { ServiceOptions as _google_protobuf_ServiceOptions, ServiceOptions__Output as _google_protobuf_ServiceOptions__Output } from './google/protobuf/ServiceOptions';
import type { SourceCodeInfo as _google_protobuf_SourceCodeInfo, SourceCodeInfo__Output as _google_protobuf_SourceCodeInfo__Output } from './google/protobuf/SourceCodeInfo';
import type { UninterpretedOption as _google_protobuf_UninterpretedOption, UninterpretedOption__Output as _google_protobuf_UninterpretedOption__Output } from './google/protobuf/UninterpretedOption';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  arrow: {
    flight: {
      protocol: {
        sql: {
          ActionBeginSavepointRequest: MessageTypeDefinition<_arrow_flight_protocol_sql_ActionBeginSavepointRequest, _arrow_flight_protocol_sql_ActionBeginSavepointRequest__Output>
          ActionBeginSavepointResult: MessageTypeDefinition<_arrow_flight_protocol_sql_ActionBeginSavepointResult, _arrow_flight_protocol_sql_ActionBeginSavepointResult__Output>
          ActionBeginTransactionRequest: MessageTypeDefinition<_arrow_flight_protocol_sql_ActionBeginTransactionRequest, _arrow_flight_protocol_sql_ActionBeginTransactionRequest__Output>
          ActionBeginTransactionResult: MessageTypeDefinition<_arrow_flight_protocol_sql_ActionBeginTransactionResult, _arrow_flight_protocol_sql_ActionBeginTransactionResult__Output>
          ActionCancelQueryRequest: MessageTypeDefinition<_arrow_flight_protocol_sql_ActionCancelQueryRequest, _arrow_flight_protocol_sql_ActionCancelQueryRequest__Output>
          ActionCancelQueryResult: MessageTypeDefinition<_arrow_flight_protocol_sql_ActionCancelQueryResult, _arrow_flight_protocol_sql_ActionCancelQueryResult__Output>
          ActionClosePreparedStatementRequest: MessageTypeDefinition<_arrow_flight_protocol_sql_ActionClosePreparedStatementRequest, _arrow_flight_protocol_sql_ActionClosePreparedStatementRequest__Output>
          ActionCreatePreparedStatementRequest: MessageTypeDefinition<_arrow_flight_protocol_sql_ActionCreatePreparedStatementRequest, _arrow_flight_protocol_sql_ActionCreatePreparedStatementRequest__Output>
          ActionCreatePreparedStatementResult: MessageTypeDefinition<_arrow_flight_protocol_sql_ActionCreatePreparedStatementResult, _arrow_flight_protocol_sql_ActionCreatePreparedStatementResult__Output>
          ActionCreatePreparedSubstraitPlanRequest: MessageTypeDefinition<_arrow_flight_protocol_sql_ActionCreatePreparedSubstraitPlanRequest, _arrow_flight_protocol_sql_ActionCreatePreparedSubstraitPlanRequest__Output>
          ActionEndSavepointRequest: MessageTypeDefinition<_arrow_flight_protocol_sql_ActionEndSavepointRequest, _arrow_flight_protocol_sql_ActionEndSavepointRequest__Output>
          ActionEndTransactionRequest: MessageTypeDefinition<_arrow_flight_protocol_sql_ActionEndTransactionRequest, _arrow_flight_protocol_sql_ActionEndTransactionRequest__Output>
          CommandGetCatalogs: MessageTypeDefinition<_arrow_flight_protocol_sql_CommandGetCatalogs, _arrow_flight_protocol_sql_CommandGetCatalogs__Output>
          CommandGetCrossReference: MessageTypeDefinition<_arrow_flight_protocol_sql_CommandGetCrossReference, _arrow_flight_protocol_sql_CommandGetCrossReference__Output>
          CommandGetDbSchemas: MessageTypeDefinition<_arrow_flight_protocol_sql_CommandGetDbSchemas, _arrow_flight_protocol_sql_CommandGetDbSchemas__Output>
          CommandGetExportedKeys: MessageTypeDefinition<_arrow_flight_protocol_sql_CommandGetExportedKeys, _arrow_flight_protocol_sql_CommandGetExportedKeys__Output>
          CommandGetImportedKeys: MessageTypeDefinition<_arrow_flight_protocol_sql_CommandGetImportedKeys, _arrow_flight_protocol_sql_CommandGetImportedKeys__Output>
          CommandGetPrimaryKeys: MessageTypeDefinition<_arrow_flight_protocol_sql_CommandGetPrimaryKeys, _arrow_flight_protocol_sql_CommandGetPrimaryKeys__Output>
          CommandGetSqlInfo: MessageTypeDefinition<_arrow_flight_protocol_sql_CommandGetSqlInfo, _arrow_flight_protocol_sql_CommandGetSqlInfo__Output>
          CommandGetTableTypes: MessageTypeDefinition<_arrow_flight_protocol_sql_CommandGetTableTypes, _arrow_flight_protocol_sql_CommandGetTableTypes__Output>
          CommandGetTables: MessageTypeDefinition<_arrow_flight_protocol_sql_CommandGetTables, _arrow_flight_protocol_sql_CommandGetTables__Output>
          CommandGetXdbcTypeInfo: MessageTypeDefinition<_arrow_flight_protocol_sql_CommandGetXdbcTypeInfo, _arrow_flight_protocol_sql_CommandGetXdbcTypeInfo__Output>
          CommandPreparedStatementQuery: MessageTypeDefinition<_arrow_flight_protocol_sql_CommandPreparedStatementQuery, _arrow_flight_protocol_sql_CommandPreparedStatementQuery__Output>
          CommandPreparedStatementUpdate: MessageTypeDefinition<_arrow_flight_protocol_sql_CommandPreparedStatementUpdate, _arrow_flight_protocol_sql_CommandPreparedStatementUpdate__Output>
          CommandStatementIngest: MessageTypeDefinition<_arrow_flight_protocol_sql_CommandStatementIngest, _arrow_flight_protocol_sql_CommandStatementIngest__Output>
          CommandStatementQuery: MessageTypeDefinition<_arrow_flight_protocol_sql_CommandStatementQuery, _arrow_flight_protocol_sql_CommandStatementQuery__Output>
          CommandStatementSubstraitPlan: MessageTypeDefinition<_arrow_flight_protocol_sql_CommandStatementSubstraitPlan, _arrow_flight_protocol_sql_CommandStatementSubstraitPlan__Output>
          CommandStatementUpdate: MessageTypeDefinition<_arrow_flight_protocol_sql_CommandStatementUpdate, _arrow_flight_protocol_sql_CommandStatementUpdate__Output>
          DoPutPreparedStatementResult: MessageTypeDefinition<_arrow_flight_protocol_sql_DoPutPreparedStatementResult, _arrow_flight_protocol_sql_DoPutPreparedStatementResult__Output>
          DoPutUpdateResult: MessageTypeDefinition<_arrow_flight_protocol_sql_DoPutUpdateResult, _arrow_flight_protocol_sql_DoPutUpdateResult__Output>
          Nullable: EnumTypeDefinition
          Searchable: EnumTypeDefinition
          SqlInfo: EnumTypeDefinition
          SqlNullOrdering: EnumTypeDefinition
          SqlOuterJoinsSupportLevel: EnumTypeDefinition
          SqlSupportedCaseSensitivity: EnumTypeDefinition
          SqlSupportedElementActions: EnumTypeDefinition
          SqlSupportedGroupBy: EnumTypeDefinition
          SqlSupportedPositionedCommands: EnumTypeDefinition
          SqlSupportedResultSetConcurrency: EnumTypeDefinition
          SqlSupportedResultSetType: EnumTypeDefinition
          SqlSupportedSubqueries: EnumTypeDefinition
          SqlSupportedTransaction: EnumTypeDefinition
          SqlSupportedTransactions: EnumTypeDefinition
          SqlSupportedUnions: EnumTypeDefinition
          SqlSupportsConvert: EnumTypeDefinition
          SqlTransactionIsolationLevel: EnumTypeDefinition
          SubstraitPlan: MessageTypeDefinition<_arrow_flight_protocol_sql_SubstraitPlan, _arrow_flight_protocol_sql_SubstraitPlan__Output>
          SupportedAnsi92SqlGrammarLevel: EnumTypeDefinition
          SupportedSqlGrammar: EnumTypeDefinition
          TicketStatementQuery: MessageTypeDefinition<_arrow_flight_protocol_sql_TicketStatementQuery, _arrow_flight_protocol_sql_TicketStatementQuery__Output>
          UpdateDeleteRules: EnumTypeDefinition
          XdbcDataType: EnumTypeDefinition
          XdbcDatetimeSubcode: EnumTypeDefinition
        }
      }
    }
  }
  google: {
    protobuf: {
      DescriptorProto: MessageTypeDefinition<_google_protobuf_DescriptorProto, _google_protobuf_DescriptorProto__Output>
      Edition: EnumTypeDefinition
      EnumDescriptorProto: MessageTypeDefinition<_google_protobuf_EnumDescriptorProto, _google_protobuf_EnumDescriptorProto__Output>
      EnumOptions: MessageTypeDefinition<_google_protobuf_EnumOptions, _google_protobuf_EnumOptions__Output>
      EnumValueDescriptorProto: MessageTypeDefinition<_google_protobuf_EnumValueDescriptorProto, _google_protobuf_EnumValueDescriptorProto__Output>
      EnumValueOptions: MessageTypeDefinition<_google_protobuf_EnumValueOptions, _google_protobuf_EnumValueOptions__Output>
      ExtensionRangeOptions: MessageTypeDefinition<_google_protobuf_ExtensionRangeOptions, _google_protobuf_ExtensionRangeOptions__Output>
      FeatureSet: MessageTypeDefinition<_google_protobuf_FeatureSet, _google_protobuf_FeatureSet__Output>
      FeatureSetDefaults: MessageTypeDefinition<_google_protobuf_FeatureSetDefaults, _google_protobuf_FeatureSetDefaults__Output>
      FieldDescriptorProto: MessageTypeDefinition<_google_protobuf_FieldDescriptorProto, _google_protobuf_FieldDescriptorProto__Output>
      FieldOptions: MessageTypeDefinition<_google_protobuf_FieldOptions, _google_protobuf_FieldOptions__Output>
      FileDescriptorProto: MessageTypeDefinition<_google_protobuf_FileDescriptorProto, _google_protobuf_FileDescriptorProto__Output>
      FileDescriptorSet: MessageTypeDefinition<_google_protobuf_FileDescriptorSet, _google_protobuf_FileDescriptorSet__Output>
      FileOptions: MessageTypeDefinition<_google_protobuf_FileOptions, _google_protobuf_FileOptions__Output>
      GeneratedCodeInfo: MessageTypeDefinition<_google_protobuf_GeneratedCodeInfo, _google_protobuf_GeneratedCodeInfo__Output>
      MessageOptions: MessageTypeDefinition<_google_protobuf_MessageOptions, _google_protobuf_MessageOptions__Output>
      MethodDescriptorProto: MessageTypeDefinition<_google_protobuf_MethodDescriptorProto, _google_protobuf_MethodDescriptorProto__Output>
      MethodOptions: MessageTypeDefinition<_google_protobuf_MethodOptions, _google_protobuf_MethodOptions__Output>
      OneofDescriptorProto: MessageTypeDefinition<_google_protobuf_OneofDescriptorProto, _google_protobuf_OneofDescriptorProto__Output>
      OneofOptions: MessageTypeDefinition<_google_protobuf_OneofOptions, _google_protobuf_OneofOptions__Output>
      ServiceDescriptorProto: MessageTypeDefinition<_google_protobuf_ServiceDescriptorProto, _google_protobuf_ServiceDescriptorProto__Output>
      ServiceOptions: MessageTypeDefinition<_google_protobuf_ServiceOptions, _google_protobuf_ServiceOptions__Output>
      SourceCodeInfo: MessageTypeDefinition<_google_protobuf_SourceCodeInfo, _google_protobuf_SourceCodeInfo__Output>
      SymbolVisibility: EnumTypeDefinition
      UninterpretedOption: MessageTypeDefinition<_google_protobuf_UninterpretedOption, _google_protobuf_UninterpretedOption__Output>
    }
  }
}

