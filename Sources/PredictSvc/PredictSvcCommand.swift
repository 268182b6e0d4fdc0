import ArgumentParser

@main
struct PredictSvcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "PredictSvc",
        abstract: "Forecasting: train, evaluate and run the LSTM; serve predictions on the mesh.",
        subcommands: [TrainCommand.self, PredictCommand.self, EvaluateCommand.self, TuneCommand.self, ImportKerasCommand.self, ServeCommand.self]
    )
}
